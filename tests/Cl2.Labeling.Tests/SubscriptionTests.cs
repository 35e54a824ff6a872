using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Cl2.Labeling.Tests;

public sealed class SubscriptionTests(LabelingApi api, ITestOutputHelper output) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Digest = "sha256:abababababababababababababababababababababababababababababababab";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<WebSocket> ConnectAsync() => GraphQLSocket.ConnectAsync(api.Host);

    private static Task SendAsync(WebSocket socket, object message) => GraphQLSocket.SendAsync(socket, message);

    private static Task<JsonNode> ReceiveAsync(WebSocket socket) => GraphQLSocket.ReceiveAsync(socket);

    [Fact]
    public async Task a_subscriber_hears_each_promotion_of_its_model_in_order_right_after_the_commit()
    {
        var modelId = (await api.RunAsync("""mutation { registerModel(input: { name: "watched", task: "liver-ct" }) { id } }"""))["registerModel"]!["id"]!.GetValue<string>();
        var versions = new List<string>();
        for (var index = 0; index < 5; index++)
        {
            versions.Add((await api.RunAsync("""
                mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }
                """, new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }))
                ["registerModelVersion"]!["id"]!.GetValue<string>());
        }

        using var socket = await ConnectAsync();
        Assert.Equal("graphql-transport-ws", socket.SubProtocol);
        await SendAsync(socket, new { type = "connection_init", payload = new { } });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new
        {
            id = "promotions",
            type = "subscribe",
            payload = new { query = "subscription($model: ID) { modelPromoted(model: $model) { versionId change model { name } } }", variables = new { model = modelId } },
        });
        // The server handles a connection's messages in order, so once the pong is back the subscription is registered.
        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(socket))["type"]!.GetValue<string>());

        var delays = new List<double>();
        foreach (var versionId in versions)
        {
            var version = (await api.RunAsync("query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))["model"]!["version"]!.GetValue<int>();
            var clock = Stopwatch.StartNew();
            await api.RunAsync("""
                mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { version } }
                """, new { input = new { modelId, versionId, expectedVersion = version } });
            var next = await ReceiveAsync(socket);
            delays.Add(clock.Elapsed.TotalMilliseconds);

            Assert.Equal("next", next["type"]!.GetValue<string>());
            Assert.Equal("promotions", next["id"]!.GetValue<string>());
            var promoted = next["payload"]!["data"]!["modelPromoted"]!;
            Assert.Equal(versionId, promoted["versionId"]!.GetValue<string>());
            Assert.Equal("PROMOTED", promoted["change"]!.GetValue<string>());
            Assert.Equal("watched", promoted["model"]!["name"]!.GetValue<string>());
        }
        delays.Sort();
        // Mutation sent → message received, measured and reported (not asserted: it depends on the machine).
        output.WriteLine($"promotion → subscription message: p50 {delays[delays.Count / 2]:F1} ms, max {delays[^1]:F1} ms over {delays.Count}");

        await SendAsync(socket, new { id = "promotions", type = "complete" });
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task a_subscriber_hears_a_jobs_training_progress_in_order_and_the_delay_is_measured()
    {
        var modelId = (await api.RunAsync("""mutation { registerModel(input: { name: "trained", task: "liver-ct" }) { id } }"""))["registerModel"]!["id"]!.GetValue<string>();
        var jobId = (await api.RunAsync("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            new { input = new { modelId, trigger = "test" } }))["requestTraining"]!["id"]!.GetValue<string>();
        var otherJobId = (await api.RunAsync("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            new { input = new { modelId, trigger = "other" } }))["requestTraining"]!["id"]!.GetValue<string>();
        foreach (var worker in new[] { "w1", "w2" })
        {
            await api.RunAsync("mutation($input: ClaimTrainingJobInput!) { claimTrainingJob(input: $input) { id } }", new { input = new { worker, device = "cuda:0" } });
        }

        using var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "connection_init" });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new
        {
            id = "progress",
            type = "subscribe",
            payload = new { query = "subscription($job: ID) { trainingProgress(job: $job) { jobId attempt epoch loss } }", variables = new { job = jobId } },
        });
        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(socket))["type"]!.GetValue<string>());

        const int Epochs = 40;
        const string Report = "mutation($input: ReportTrainingProgressInput!) { reportTrainingProgress(input: $input) { id } }";
        var delays = new List<double>();
        for (var epoch = 1; epoch <= Epochs; epoch++)
        {
            // A report for another job in between must not reach this subscriber.
            await api.RunAsync(Report, new { input = new { jobId = otherJobId, attempt = 1, epoch, loss = 9.0 } });
            var clock = Stopwatch.StartNew();
            await api.RunAsync(Report, new { input = new { jobId, attempt = 1, epoch, loss = 1.0 / epoch } });
            var next = await ReceiveAsync(socket);
            delays.Add(clock.Elapsed.TotalMilliseconds);
            var progress = next["payload"]!["data"]!["trainingProgress"]!;
            Assert.Equal((jobId, epoch), (progress["jobId"]!.GetValue<string>(), progress["epoch"]!.GetValue<int>()));
        }
        delays.Sort();
        output.WriteLine($"training progress → subscription message over {Epochs}: p50 {delays[Epochs / 2]:F1} ms, " +
            $"p99 {delays[(int)Math.Ceiling(Epochs * 0.99) - 1]:F1} ms, max {delays[^1]:F1} ms (includes the mutation's own round trip)");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task a_subscriber_without_a_role_for_the_stream_gets_forbidden_for_its_id()
    {
        var client = api.Host.Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            request.Headers.SecWebSocketProtocol = "graphql-transport-ws";
            request.Headers["X-Cl2-User"] = "visitor";
            request.Headers["X-Cl2-Roles"] = "guest";
        };
        using var socket = await client.ConnectAsync(new Uri(api.Host.Server.BaseAddress, "graphql"), CancellationToken.None);
        await SendAsync(socket, new { type = "connection_init" });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new { id = "watch", type = "subscribe", payload = new { query = "subscription { trainingProgress { epoch } }" } });
        var error = await ReceiveAsync(socket);
        Assert.Equal(("error", "watch"), (error["type"]!.GetValue<string>(), error["id"]!.GetValue<string>()));
        Assert.Equal("FORBIDDEN", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task subscribing_before_connection_init_closes_the_socket_with_4401()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { id = "1", type = "subscribe", payload = new { query = "subscription { modelPromoted { versionId } }" } });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = await socket.ReceiveAsync(new byte[1024], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(4401, (int)socket.CloseStatus!.Value);
    }

    [Fact]
    public async Task an_invalid_subscription_gets_an_error_message_for_its_id()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "connection_init" });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new { id = "bad", type = "subscribe", payload = new { query = "subscription { noSuchStream { id } }" } });
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", error["type"]!.GetValue<string>());
        Assert.Equal("bad", error["id"]!.GetValue<string>());
        Assert.Contains("noSuchStream", error["payload"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
