using System.Net;
using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cl2.Gateway.Tests.Identity;

public sealed class ProviderTests
{
    [Fact]
    public async Task a_standard_oidc_client_discovers_the_provider_and_validates_a_client_credentials_token_against_its_jwks()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);
        using var http = new HttpClient();

        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = provider.Address.ToString(),
            Policy = { RequireHttps = false },
        });
        Assert.False(discovery.IsError, discovery.Error);
        var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = "training-worker",
            ClientSecret = provider.Secret("clients", "training-worker"),
            Scope = "cl2",
        });
        Assert.False(token.IsError, token.Error + " " + token.ErrorDescription);
        var keys = new JsonWebKeySet(await http.GetStringAsync(new Uri(discovery.JwksUri!))).GetSigningKeys();
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = discovery.Issuer,
            ValidAudience = "cl2",
            IssuerSigningKeys = keys,
        });

        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(provider.Address.ToString(), discovery.Issuer);
        Assert.Equal("training-worker", validation.Claims["sub"]);
        Assert.Equal("service", validation.Claims["role"]);
    }

    [Fact]
    public async Task a_client_with_a_wrong_secret_gets_no_token()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);

        var (status, answer) = await provider.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "inference", ["client_secret"] = "not-the-secret-at-all", ["scope"] = "cl2",
        });

        Assert.Equal(401, status);
        Assert.Equal("invalid_client", answer.GetProperty("error").GetString());
        Assert.False(answer.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task a_seeded_user_signing_in_with_their_password_gets_a_token_with_their_role()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);

        var token = new JsonWebToken(await provider.UserTokenAsync("radiologist"));

        Assert.Equal("radiologist", token.Subject);
        Assert.Equal(["radiologist"], token.Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value));
        Assert.Equal(["cl2"], token.Audiences);
    }

    [Fact]
    public async Task a_wrong_password_gets_no_token()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);

        var (status, answer) = await provider.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "cl2-cli", ["username"] = "admin", ["password"] = provider.Secret("users", "annotator"),
        });

        Assert.Equal(400, status);
        Assert.Equal("invalid_grant", answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task a_token_issued_before_a_restart_is_still_signed_by_a_published_key_after_it()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        string token;
        string folder;
        await using (var before = await ProviderHost.StartAsync(postgres))
        {
            token = await before.UserTokenAsync("annotator");
            folder = before.Folder;
        }

        await using var after = await ProviderHost.StartAsync(postgres, folder);
        using var http = new HttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync(new Uri(after.Address, ".well-known/jwks"))).GetSigningKeys();
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidAudience = "cl2",
            IssuerSigningKeys = keys,
        });

        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task a_browser_signs_in_on_the_sign_in_page_and_exchanges_the_code_with_its_pkce_verifier()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = provider.Address,
        };
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = $"/connect/authorize?client_id={ProviderHost.BrowserClient}&response_type=code&scope=openid%20cl2" +
                        $"&redirect_uri={Uri.EscapeDataString(ProviderHost.BrowserRedirect)}&code_challenge={challenge}&code_challenge_method=S256&state=s1";

        using var toSignIn = await browser.GetAsync(new Uri(authorize, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, toSignIn.StatusCode);
        Assert.StartsWith("/signin", toSignIn.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var returnUrl = System.Web.HttpUtility.ParseQueryString(toSignIn.Headers.Location!.Query)["ReturnUrl"]!;
        using var signedIn = await browser.PostAsync(new Uri("/signin", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "annotator", ["password"] = provider.Secret("users", "annotator"), ["returnUrl"] = returnUrl,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        using var withCode = await browser.GetAsync(signedIn.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, withCode.StatusCode);
        var callback = withCode.Headers.Location!;
        Assert.StartsWith(ProviderHost.BrowserRedirect, callback.ToString(), StringComparison.Ordinal);
        var code = System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]!;
        var (status, answer) = await provider.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = ProviderHost.BrowserClient, ["code"] = code,
            ["redirect_uri"] = ProviderHost.BrowserRedirect, ["code_verifier"] = verifier,
        });

        Assert.Equal(200, status);
        var token = new JsonWebToken(answer.GetProperty("access_token").GetString());
        Assert.Equal("annotator", token.Subject);
        Assert.Contains(token.Claims, claim => claim is { Type: "role", Value: "annotator" });
    }

    [Fact]
    public async Task an_authorization_request_without_a_pkce_challenge_is_refused()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = provider.Address };

        using var response = await browser.GetAsync(new Uri(
            $"/connect/authorize?client_id={ProviderHost.BrowserClient}&response_type=code&scope=cl2&redirect_uri={Uri.EscapeDataString(ProviderHost.BrowserRedirect)}",
            UriKind.Relative));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("code_challenge", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_sign_in_page_never_sends_the_browser_to_another_site()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var provider = await ProviderHost.StartAsync(postgres);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = provider.Address };

        using var response = await browser.PostAsync(new Uri("/signin", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "annotator", ["password"] = provider.Secret("users", "annotator"), ["returnUrl"] = "//evil.example/steal",
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }
}
