using System.Net;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway.Tests;

/// <summary><see cref="GatewayOptions.InlineIoCompletions"/>: on by default, and the gateway still forwards and answers health on a real Kestrel.</summary>
public sealed class InlineIoTests
{
    [Fact]
    public async Task by_default_kestrel_and_sockets_run_completions_inline_and_requests_are_still_forwarded()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = new HttpClient { BaseAddress = gateway.StartOnKestrel() };

        var graphql = await client.PostAsync(new Uri("graphql", UriKind.Relative), new StringContent("""{"query":"{ __typename }"}""", Encoding.UTF8, "application/json"));
        var ready = await client.GetAsync(new Uri("health/ready", UriKind.Relative));

        Assert.True(gateway.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.InlineIoCompletions);
        Assert.True(gateway.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        Assert.Equal("1", Environment.GetEnvironmentVariable(GatewayServices.InlineSocketCompletionsVariable));
        Assert.Equal("labeling answered /graphql", await graphql.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(["POST /graphql"], labeling.Requests.Where(request => !request.Contains("/health/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task configured_off_kestrel_hands_completions_to_the_thread_pool()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address,
            new Dictionary<string, string> { ["Gateway:InlineIoCompletions"] = "false" });
        using var client = gateway.CreateClient();

        var graphql = await client.PostAsync(new Uri("/graphql", UriKind.Relative), new StringContent("""{"query":"{ __typename }"}""", Encoding.UTF8, "application/json"));

        Assert.False(gateway.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.InlineIoCompletions);
        Assert.False(gateway.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        Assert.Equal("labeling answered /graphql", await graphql.Content.ReadAsStringAsync());
    }
}
