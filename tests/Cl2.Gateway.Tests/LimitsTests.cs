using System.Net;

namespace Cl2.Gateway.Tests;

/// <summary>Issue 17 point 7: a rate limit per caller (429 with Retry-After), body limits per route, security headers
/// and CORS closed by default.</summary>
public sealed class LimitsTests
{
    private const string CallerHeader = "X-Test-Caller";

    private static readonly Dictionary<string, string> Tight = new()
    {
        ["Gateway:Limits:RequestsPerSecond"] = "1",
        ["Gateway:Limits:Burst"] = "5",
    };

    private static async Task<HttpStatusCode[]> GetAsync(HttpClient client, string? user, int count)
    {
        var statuses = new HttpStatusCode[count];
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql/probe");
            if (user is not null)
            {
                request.Headers.Add(CallerHeader, user);
            }
            using var response = await client.SendAsync(request);
            statuses[i] = response.StatusCode;
        }
        return statuses;
    }

    /// <summary>The gateway's own front page and a proxied answer (buffered, so they outlive the gateway).</summary>
    private static async Task<(HttpResponseMessage Page, HttpResponseMessage Proxied)> PageAndProxiedAsync()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address);
        using var client = gateway.CreateClient();
        return (await client.GetAsync(new Uri("/", UriKind.Relative)), await client.GetAsync(new Uri("/graphql/probe", UriKind.Relative)));
    }

    [Fact]
    public async Task a_burst_from_one_user_gets_429_while_another_users_requests_succeed()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address, Tight) { CallerHeader = CallerHeader };
        using var client = gateway.CreateClient();

        var alice = await GetAsync(client, "alice", 20);
        var bob = await GetAsync(client, "bob", 3);

        Assert.Contains(HttpStatusCode.TooManyRequests, alice);
        Assert.All(bob, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task a_refused_request_says_when_to_retry()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address, Tight) { CallerHeader = CallerHeader };
        using var client = gateway.CreateClient();
        await GetAsync(client, "alice", 20);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql/probe");
        request.Headers.Add(CallerHeader, "alice");

        using var refused = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.ToString());
        Assert.Contains("Too many requests from user:alice", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task callers_not_signed_in_share_the_limit_of_their_address()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address, Tight);
        using var client = gateway.CreateClient();

        Assert.Contains(HttpStatusCode.TooManyRequests, await GetAsync(client, null, 20));
    }

    [Fact]
    public async Task health_probes_are_not_rate_limited()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address, Tight);
        using var client = gateway.CreateClient();
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task a_body_longer_than_its_route_accepts_is_refused_with_413_before_reaching_the_backend()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address);
        using var client = gateway.CreateClient();

        using var response = await client.PostAsync(new Uri("/graphql", UriKind.Relative), new ByteArrayContent(new byte[2 * 1024 * 1024]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("ReverseProxy:Routes:graphql:MaxRequestBodySize", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(labeling.Requests, request => request.StartsWith("POST /graphql", StringComparison.Ordinal));
    }

    [Fact]
    public async Task every_answer_forbids_sniffing_and_framing()
    {
        var (page, proxied) = await PageAndProxiedAsync();

        foreach (var response in new[] { proxied, page })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }
    }

    [Fact]
    public async Task the_gateways_own_pages_carry_a_content_security_policy_that_forbids_framing()
    {
        var (page, proxied) = await PageAndProxiedAsync();

        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.False(proxied.Headers.Contains("Content-Security-Policy"));
    }

    [Theory]
    [InlineData("Production", true)]
    [InlineData("Development", false)]
    public async Task hsts_is_sent_over_https_only_outside_development(string environment, bool sent)
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        // The gateway answers as its public address says (here behind a TLS-terminating proxy), whatever reached it.
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address,
            new Dictionary<string, string> { ["Gateway:PublicBaseUrl"] = "https://cl2.example.org" })
        {
            Environment = environment,
        };
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/graphql/probe", UriKind.Relative));

        Assert.Equal(sent, response.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("https://viewer.example.org", true)]
    public async Task a_cross_origin_preflight_is_allowed_only_for_a_listed_origin(string? listed, bool allowed)
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        var settings = listed is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Gateway:Limits:CorsOrigins:0"] = listed };
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address, settings);
        using var client = gateway.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/graphql");
        preflight.Headers.Add("Origin", "https://viewer.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) && origins.Single() == "https://viewer.example.org");
    }

    [Fact]
    public void an_origin_with_a_path_stops_the_start_with_what_to_write()
    {
        var settings = new Dictionary<string, string> { ["Gateway:Limits:CorsOrigins:0"] = "https://viewer.example.org/app" };
        var failure = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => FailingStart.Run(() =>
        {
            using var gateway = new GatewayHost(new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:1/"), settings);
            _ = gateway.Services;
        }));

        Assert.Contains("Gateway:Limits:CorsOrigins 'https://viewer.example.org/app' must be an origin", failure.Message, StringComparison.Ordinal);
    }
}
