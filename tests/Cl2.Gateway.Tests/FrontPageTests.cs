using System.Net;

namespace Cl2.Gateway.Tests;

public sealed class FrontPageTests
{
    [Fact]
    public async Task the_front_page_shows_each_backends_readiness_and_links_to_what_works()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        var inference = await RecordingBackend.StartAsync("inference");
        await inference.DisposeAsync();
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<td>labeling</td><td class=\"Healthy\">Healthy</td>", page, StringComparison.Ordinal);
        Assert.Contains($"<td>inference</td><td class=\"other\">not answering at {inference.Address}health/ready", page, StringComparison.Ordinal);
        foreach (var link in new[] { "/graphql", "/dicomweb/studies", "/api/inference/status", "/health/ready" })
        {
            Assert.Contains($"<a href=\"{link}\">", page, StringComparison.Ordinal);
        }
        // GraphiQL comes with the built web app (WebAppTests): without one there is nothing at /graphiql to link to.
        Assert.DoesNotContain("/graphiql", page, StringComparison.Ordinal);
        Assert.Contains("docs/configuration.md", page, StringComparison.Ordinal);
    }
}
