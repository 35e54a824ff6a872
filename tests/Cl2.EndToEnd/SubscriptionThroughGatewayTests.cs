using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cl2.EndToEnd;

public sealed class SubscriptionThroughGatewayTests
{
    private const string Digest = "sha256:abababababababababababababababababababababababababababababababab";

    [Fact]
    public async Task a_subscription_idle_longer_than_the_gateways_activity_timeout_still_hears_the_next_event()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-e2e-idle-").FullName;
        var launcher = new PlatformLauncher(state, postgres.ConnectionString);
        var labelingUrl = launcher.LabelingUrl;
        var gatewayUrl = launcher.GatewayUrl;
        await using var labeling = await launcher.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["GraphQL__KeepAliveIntervalSeconds"] = "1",
        });
        // The gateway drops a proxied connection that carries nothing for this long (YARP's ActivityTimeout).
        await using var gateway = await launcher.StartAsync(PlatformLauncher.Gateway, new Dictionary<string, string>
        {
            ["ReverseProxy__Clusters__labeling__HttpRequest__ActivityTimeout"] = "00:00:03",
        });
        BackgroundProcess[] services = [labeling, gateway];
        // Mutations go to labeling directly: the short timeout would also cut a slow first request (schema creation) short.
        using var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(60) };
        await Eventually.IsTrueAsync(async () => await IsReadyAsync(http, labelingUrl + "health/ready") && await IsReadyAsync(http, gatewayUrl + "health/live"),
            services, "labeling and the gateway ready");

        var modelId = (await RunAsync(http, """mutation { registerModel(input: { name: "idle", task: "liver-ct" }) { id } }"""))["registerModel"]!["id"]!.GetValue<string>();
        var versionId = (await RunAsync(http, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }))
            ["registerModelVersion"]!["id"]!.GetValue<string>();

        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("graphql-transport-ws");
        // As a page the gateway served would open it: labeling takes the gateway's origin as its own (X-Forwarded-Host).
        socket.Options.SetRequestHeader("Origin", gatewayUrl.TrimEnd('/'));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{launcher.GatewayPort}/graphql"), CancellationToken.None);
        await SendAsync(socket, new { type = "connection_init" });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new { id = "idle", type = "subscribe", payload = new { query = "subscription($model: ID) { modelPromoted(model: $model) { versionId } }", variables = new { model = modelId } } });
        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await NextAsync(socket))["type"]!.GetValue<string>());

        // Quiet for more than twice the gateway's timeout; only the server's pings (and our pongs) cross it.
        var quiet = NextAsync(socket);
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.False(quiet.IsCompleted, $"the socket ended or received something while idle: {quiet.Exception?.GetBaseException().Message}");
        var expectedVersion = (await RunAsync(http, "query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))["model"]!["version"]!.GetValue<int>();
        await RunAsync(http, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { version } }",
            new { input = new { modelId, versionId, expectedVersion } });

        var next = await quiet.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("next", versionId), (next["type"]!.GetValue<string>(), next["payload"]!["data"]!["modelPromoted"]!["versionId"]!.GetValue<string>()));
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<JsonNode> RunAsync(HttpClient http, string query, object? variables = null)
    {
        using var response = await http.PostAsJsonAsync(new Uri("graphql", UriKind.Relative), new { query, variables });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} from labeling: {text}");
        var body = JsonNode.Parse(text)!;
        Assert.True(body["errors"] is null, body.ToJsonString());
        return body["data"]!;
    }

    private static Task SendAsync(WebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message other than a server ping, which is answered with pong as graphql-transport-ws asks.</summary>
    private static async Task<JsonNode> NextAsync(WebSocket socket)
    {
        while (true)
        {
            var message = await ReceiveAsync(socket);
            if (message["type"]!.GetValue<string>() != "ping")
            {
                return message;
            }
            await SendAsync(socket, new { type = "pong" });
        }
    }

    private static async Task<JsonNode> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"closed by the server side: {socket.CloseStatus} {socket.CloseStatusDescription}");
            }
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!;
    }
}
