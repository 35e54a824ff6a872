namespace Cl2.Gateway.Tests;

public sealed class ForwardedHostTests
{
    [Fact]
    public async Task backends_hear_the_gateways_own_address_not_the_host_a_client_sent()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        var address = gateway.StartOnKestrel();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/dicomweb/studies"));
        request.Headers.Host = "evil.example";

        using var response = await client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal([$"http://{address.Authority}"], labeling.ForwardedHosts);
    }

    [Fact]
    public async Task backends_hear_the_configured_public_base_url()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address,
            new Dictionary<string, string> { ["Gateway:PublicBaseUrl"] = "https://cl2.example.org" });
        using var client = gateway.CreateClient();

        await client.GetStringAsync(new Uri("/dicomweb/studies", UriKind.Relative));

        Assert.Equal(["https://cl2.example.org"], labeling.ForwardedHosts);
    }
}
