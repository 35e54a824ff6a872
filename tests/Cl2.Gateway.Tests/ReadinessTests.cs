using System.Net;

namespace Cl2.Gateway.Tests;

public sealed class ReadinessTests
{
    [Fact]
    public async Task the_gateway_is_ready_only_while_every_backend_answers_and_names_the_one_that_does_not()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        var inference = await RecordingBackend.StartAsync("inference");
        var inferenceAddress = inference.Address;
        await using var gateway = new GatewayHost(labeling.Address, inferenceAddress);
        using var client = gateway.CreateClient();

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        await inference.DisposeAsync();
        var notReady = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains($"inference: no answer from {inferenceAddress}health/live", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
