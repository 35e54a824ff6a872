using System.Net;
using System.Text;

namespace Cl2.Gateway.Tests;

/// <summary>The built web app served at <c>/</c> and its pages, next to the proxied routes and the gateway's own pages.</summary>
public sealed class WebAppTests : IDisposable
{
    private readonly string _dist = Directory.CreateTempSubdirectory("cl2-web-dist-").FullName;

    public WebAppTests()
    {
        File.WriteAllText(Path.Combine(_dist, "index.html"), "<!doctype html><title>cl2 app</title>");
        Directory.CreateDirectory(Path.Combine(_dist, "assets"));
        File.WriteAllText(Path.Combine(_dist, "assets", "index-abc123.js"), "console.log('app')");
        File.WriteAllText(Path.Combine(_dist, "graphiql.html"), "<!doctype html><title>cl2 GraphiQL</title>");
    }

    public void Dispose() => Directory.Delete(_dist, recursive: true);

    private GatewayHost Gateway(RecordingBackend labeling, RecordingBackend inference) =>
        new(labeling.Address, inference.Address, new Dictionary<string, string> { ["WebApp:Root"] = _dist });

    /// <summary>Both backends and a gateway serving <see cref="_dist"/>, with a client of it.</summary>
    private async Task<Served> ServeAsync()
    {
        var labeling = await RecordingBackend.StartAsync("labeling");
        var inference = await RecordingBackend.StartAsync("inference");
        var gateway = Gateway(labeling, inference);
        return new Served(labeling, inference, gateway, gateway.CreateClient());
    }

    private sealed record Served(RecordingBackend Labeling, RecordingBackend Inference, GatewayHost Gateway, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Gateway.DisposeAsync();
            await Inference.DisposeAsync();
            await Labeling.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/annotate?dataset=d1")]
    [InlineData("/review?study=1.2.840.1")]
    [InlineData("/review-labels?dataset=d1&case=c1")]
    [InlineData("/datasets")]
    [InlineData("/models")]
    [InlineData("/viewer?study=1.2.840.1&layout=mpr")]
    [InlineData("/operations")]
    public async Task each_page_of_the_web_app_answers_with_its_index_html(string page)
    {
        await using var served = await ServeAsync();
        var client = served.Client;

        using var response = await client.GetAsync(new Uri(page, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<!doctype html><title>cl2 app</title>", await response.Content.ReadAsStringAsync());
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Empty(served.Labeling.Requests);
    }

    [Fact]
    public async Task the_app_s_hashed_assets_are_served_to_be_cached()
    {
        await using var served = await ServeAsync();
        var client = served.Client;

        using var response = await client.GetAsync(new Uri("/assets/index-abc123.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_proxied_routes_and_the_status_page_stay_the_gateway_s_while_the_app_is_served()
    {
        await using var served = await ServeAsync();
        var client = served.Client;

        var graphql = await client.PostAsync(new Uri("/graphql", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        var dicomweb = await client.GetStringAsync(new Uri("/dicomweb/studies", UriKind.Relative));
        var status = await client.GetStringAsync(new Uri("/status", UriKind.Relative));
        var health = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var unknown = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative));

        Assert.Equal("labeling answered /graphql", await graphql.Content.ReadAsStringAsync());
        Assert.Equal("labeling answered /dicomweb/studies", dicomweb);
        Assert.Contains("<td>labeling</td><td class=\"Healthy\">Healthy</td>", status, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task graphiql_is_the_web_app_s_graphiql_page_in_development_linked_from_the_status_page()
    {
        await using var served = await ServeAsync();
        var client = served.Client;

        using var response = await client.GetAsync(new Uri("/graphiql", UriKind.Relative));
        var status = await client.GetStringAsync(new Uri("/status", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<!doctype html><title>cl2 GraphiQL</title>", await response.Content.ReadAsStringAsync());
        Assert.Contains("<a href=\"/graphiql\">", status, StringComparison.Ordinal);
        Assert.Empty(served.Labeling.Requests);
    }

    [Theory]
    [InlineData("/graphiql")]
    [InlineData("/graphiql.html")]
    public async Task outside_development_graphiql_is_not_served(string path)
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address, new Dictionary<string, string> { ["WebApp:Root"] = _dist })
        {
            Environment = "Production",
        };
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var status = await client.GetStringAsync(new Uri("/status", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("/graphiql", status, StringComparison.Ordinal);
        Assert.Empty(labeling.Requests);
    }

    [Fact]
    public async Task who_am_i_answers_401_to_a_browser_without_a_session()
    {
        await using var served = await ServeAsync();
        var client = served.Client;

        using var response = await client.GetAsync(new Uri("/account/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"signedIn\":false", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_web_app_folder_without_index_html_stops_the_gateway_naming_the_setting()
    {
        File.Delete(Path.Combine(_dist, "index.html"));
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        var refusal = Assert.ThrowsAny<Exception>(() => FailingStart.Run(() =>
        {
            using var gateway = Gateway(labeling, inference);
            using var client = gateway.CreateClient();
        }));

        Assert.Contains("WebApp:Root", refusal.ToString(), StringComparison.Ordinal);
    }
}
