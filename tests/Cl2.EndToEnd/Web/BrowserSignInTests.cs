using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cl2.EndToEnd.Identity;

namespace Cl2.EndToEnd.Web;

/// <summary>Sign-in from the browser (issue 17): the web app's link, the gateway's sign-in page, a cookie session that
/// carries GraphQL calls, and sign-out that ends the session on the server, not only in the browser.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class BrowserSignInTests(SignedInPlatform platform)
{
    private const string Query = "{ datasets(first: 1) { totalCount } }";

    [Fact]
    public async Task an_annotator_signed_in_in_the_browser_calls_graphql_with_the_session_cookie()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();

        var page = await WebApp.SignInAsync(chromium, platform, "annotator");
        var answer = await WebApp.GraphQLFromPageAsync(page, Query);

        Assert.Equal("annotator", await page.TextContentAsync("[data-testid=user]"));
        Assert.False(answer.TryGetProperty("errors", out _), answer.ToString());
        Assert.True(answer.GetProperty("data").GetProperty("datasets").GetProperty("totalCount").GetInt32() >= 0);
        Assert.DoesNotContain(await chromium.Context.CookiesAsync(), cookie => !cookie.HttpOnly && cookie.Name.StartsWith("cl2", StringComparison.Ordinal));
        await Chromium.ScreenshotAsync(page, "home");
    }

    [Fact]
    public async Task after_signing_out_the_session_cookie_no_longer_reaches_graphql()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator");
        var cookies = string.Join("; ", (await chromium.Context.CookiesAsync()).Select(cookie => $"{cookie.Name}={cookie.Value}"));

        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForSelectorAsync("body[data-ready=signed-out]");
        var inThePage = await WebApp.GraphQLFromPageAsync(page, Query);
        // The cookies the browser held while signed in, sent again by hand: the server ended the session they name.
        using var replay = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = platform.Gateway, Timeout = TimeSpan.FromMinutes(1) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query = Query }), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("Cookie", cookies);
        using var replayed = await replay.SendAsync(request);
        var replayedAnswer = JsonDocument.Parse(await replayed.Content.ReadAsStringAsync()).RootElement;

        Assert.Contains("cl2.session=", cookies, StringComparison.Ordinal);
        Assert.Equal("UNAUTHENTICATED", inThePage.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("UNAUTHENTICATED", replayedAnswer.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
    }
}
