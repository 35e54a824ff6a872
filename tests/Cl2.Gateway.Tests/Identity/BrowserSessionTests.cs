using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cl2.Gateway.Tests.Identity;

/// <summary>
/// Sign-in at the gateway as a browser does it (cookies kept, redirects followed one by one): the provider's page, the
/// session cookie, the access token the gateway attaches to what it proxies, sign-out.
/// </summary>
public sealed class BrowserSessionTests
{
    [Fact]
    public async Task a_signed_in_browsers_requests_reach_the_backend_with_its_access_token()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = await ProviderHost.StartAsync(postgres, labeling: labeling.Address, browserSession: true);
        using var browser = Browser(gateway, out var cookies);

        await SignInAsync(browser, gateway, "annotator");
        using var query = await browser.PostAsync(new Uri("/graphql", UriKind.Relative), new StringContent("""{"query":"{ __typename }"}"""));

        var session = cookies.GetCookies(gateway.Address)["cl2.session"];
        Assert.NotNull(session);
        Assert.True(session.HttpOnly);
        Assert.DoesNotContain("eyJ", session.Value, StringComparison.Ordinal);
        var forwarded = Assert.Single(labeling.IdentityHeaders);
        var token = new JsonWebToken(forwarded["Authorization: Bearer ".Length..]);
        Assert.Equal("annotator", token.Subject);
        Assert.Contains(token.Claims, claim => claim is { Type: "role", Value: "annotator" });
    }

    [Fact]
    public async Task after_sign_out_the_old_session_cookie_carries_no_token()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = await ProviderHost.StartAsync(postgres, labeling: labeling.Address, browserSession: true);
        using var browser = Browser(gateway, out var cookies);
        await SignInAsync(browser, gateway, "annotator");
        var session = cookies.GetCookies(gateway.Address)["cl2.session"]!.Value;

        var signedOut = await FollowAsync(browser, new Uri(gateway.Address, "/account/signout"));
        using var replayed = new HttpClient { BaseAddress = gateway.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/dicomweb/studies", UriKind.Relative));
        request.Headers.Add("Cookie", $"cl2.session={session}");
        using var response = await replayed.SendAsync(request);

        Assert.Equal("/", signedOut.AbsolutePath);
        Assert.Null(cookies.GetCookies(gateway.Address)["cl2.session"]);
        Assert.Equal(["GET /dicomweb/studies"], labeling.Requests);
        Assert.Empty(labeling.IdentityHeaders);
    }

    private static HttpClient Browser(ProviderHost gateway, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = gateway.Address };
    }

    /// <summary>/account/signin, the provider's page with the user's password, back to the gateway with a session.</summary>
    private static async Task SignInAsync(HttpClient browser, ProviderHost gateway, string user)
    {
        var signInPage = await FollowAsync(browser, new Uri(gateway.Address, "/account/signin?returnUrl=/"));
        Assert.Equal("/signin", signInPage.AbsolutePath);
        var returnUrl = System.Web.HttpUtility.ParseQueryString(signInPage.Query)["ReturnUrl"]!;
        using var posted = await browser.PostAsync(new Uri("/signin", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user, ["password"] = gateway.Secret("users", user), ["returnUrl"] = returnUrl,
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var landed = await FollowAsync(browser, new Uri(gateway.Address, posted.Headers.Location!));
        Assert.Equal("/", landed.AbsolutePath);
    }

    /// <summary>Follows redirects with GET, as a browser does; returns the first address that answers 200.</summary>
    private static async Task<Uri> FollowAsync(HttpClient browser, Uri address)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            using var response = await browser.GetAsync(address);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.MovedPermanently))
            {
                Assert.True(response.IsSuccessStatusCode, $"{address} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return address;
            }
            address = new Uri(address, response.Headers.Location!);
        }
        throw new InvalidOperationException($"more than 10 redirects, the last to {address}");
    }
}
