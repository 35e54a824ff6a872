namespace Cl2.Gateway.Tests;

public sealed class ForgedHeaderTests
{
    [Fact]
    public async Task identity_headers_a_client_sends_never_reach_a_backend()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/inference/status", UriKind.Relative));
        request.Headers.Add("X-Cl2-User", "mallory");
        request.Headers.Add("X-Cl2-Roles", "admin");
        request.Headers.Add("x-cl2-anything", "forged");

        using var response = await client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(["GET /api/inference/status"], inference.Requests);
        Assert.Empty(inference.IdentityHeaders);
    }

    [Fact]
    public async Task a_bearer_token_is_passed_on_to_the_backend()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/dicomweb/studies", UriKind.Relative));
        request.Headers.Add("Authorization", "Bearer abc.def.ghi");

        using var response = await client.SendAsync(request);

        Assert.Equal(["Authorization: Bearer abc.def.ghi"], labeling.IdentityHeaders);
    }
}
