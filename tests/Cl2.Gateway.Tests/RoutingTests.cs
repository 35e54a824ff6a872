using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Cl2.Gateway.Tests;

public sealed class RoutingTests
{
    [Fact]
    public async Task graphql_over_http_is_forwarded_to_labeling_and_the_inference_api_to_inference()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = gateway.CreateClient();

        var graphql = await client.PostAsync(new Uri("/graphql", UriKind.Relative), new StringContent("""{"query":"{ __typename }"}""", Encoding.UTF8, "application/json"));
        var status = await client.GetStringAsync(new Uri("/api/inference/status?verbose=1", UriKind.Relative));

        Assert.Equal("labeling answered /graphql", await graphql.Content.ReadAsStringAsync());
        Assert.Equal("inference answered /api/inference/status", status);
        Assert.Equal(["POST /graphql"], labeling.Requests);
        Assert.Equal(["GET /api/inference/status?verbose=1"], inference.Requests);
    }

    [Fact]
    public async Task the_archive_and_the_blob_store_are_forwarded_to_labeling()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = gateway.CreateClient();

        await client.GetStringAsync(new Uri("/dicomweb/studies?PatientID=P1", UriKind.Relative));
        await client.GetStringAsync(new Uri("/blobs/sha256:00", UriKind.Relative));

        Assert.Equal(["GET /dicomweb/studies?PatientID=P1", "GET /blobs/sha256:00"], labeling.Requests);
        Assert.Empty(inference.Requests);
    }

    [Fact]
    public async Task a_path_with_no_route_is_not_forwarded_anywhere()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        using var client = gateway.CreateClient();

        var response = await client.GetAsync(new Uri("/graphqlx", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(labeling.Requests);
        Assert.Empty(inference.Requests);
    }

    [Fact]
    public async Task a_graphql_transport_ws_subscription_socket_passes_through_to_labeling()
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        // Upgrades are proxied only by a real server (TestServer has no upgrade feature), so this gateway runs on Kestrel.
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        var address = gateway.StartOnKestrel();
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("graphql-transport-ws");

        await socket.ConnectAsync(new Uri($"ws://{address.Authority}/graphql"), CancellationToken.None);
        var hello = """{"type":"connection_init"}"""u8.ToArray();
        await socket.SendAsync(hello, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var echo = await socket.ReceiveAsync(buffer, CancellationToken.None);

        Assert.Equal("graphql-transport-ws", socket.SubProtocol);
        Assert.Equal(hello, buffer[..echo.Count]);
        Assert.Contains("GET /graphql", labeling.Requests);
    }
}
