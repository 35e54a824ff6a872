using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cl2.Labeling.Client;

/// <summary>
/// One GraphQL subscription over its own graphql-transport-ws connection (a ClientWebSocket to <c>/graphql</c>).
/// Read it with <see cref="ReadAllAsync"/>; dispose it to complete the subscription and close the socket.
/// </summary>
public sealed class LabelingSubscription<T> : IAsyncDisposable
{
    private const string SubProtocol = "graphql-transport-ws";
    private const string OperationId = "1";

    private readonly ClientWebSocket _socket;
    private readonly Func<JsonNode, T> _read;
    private readonly SemaphoreSlim _sending;

    private LabelingSubscription(ClientWebSocket socket, Func<JsonNode, T> read, SemaphoreSlim sending)
    {
        this._socket = socket;
        this._read = read;
        this._sending = sending;
    }

    internal static async Task<LabelingSubscription<T>> StartAsync(HttpClient http, string? bearerToken, string query, object? variables, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        foreach (var (name, values) in http.DefaultRequestHeaders)
        {
            socket.Options.SetRequestHeader(name, string.Join(",", values));
        }
        if (bearerToken is not null)
        {
            // The service's token travels in a message handler for HTTP calls; a WebSocket upgrade does not pass through it.
            socket.Options.SetRequestHeader("Authorization", $"Bearer {bearerToken}");
        }
        var subscription = new LabelingSubscription<T>(socket, data => data.Deserialize<T>(LabelingClient.Json)!, new SemaphoreSlim(1, 1));
        try
        {
            await socket.ConnectAsync(WebSocketUri(http), cancellationToken);
            await subscription.SendAsync(new { type = "connection_init", payload = new { } }, cancellationToken);
            while ((await subscription.ReceiveAsync(cancellationToken))?["type"]?.GetValue<string>() is { } type && type != "connection_ack")
            {
                // Pings before the acknowledgement are answered as they come; nothing else is expected here.
                await subscription.AnswerPingAsync(type, cancellationToken);
            }
            await subscription.SendAsync(new { id = OperationId, type = "subscribe", payload = new { query, variables } }, cancellationToken);
            // The server handles a connection's messages in order: once our ping's pong is back, the subscription is live.
            await subscription.SendAsync(new { type = "ping" }, cancellationToken);
            while (await subscription.ReceiveAsync(cancellationToken) is { } message)
            {
                var type = message["type"]?.GetValue<string>();
                if (type == "pong")
                {
                    return subscription;
                }
                if (type == "error")
                {
                    throw ErrorOf(message["payload"]);
                }
                await subscription.AnswerPingAsync(type, cancellationToken);
            }
            throw new WebSocketException($"labeling closed the subscription socket before it was live ({socket.CloseStatusDescription}).");
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }
    }

    /// <summary>The subscription's events as they arrive; ends when the server completes the subscription.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReceiveAsync(cancellationToken) is { } message)
        {
            switch (message["type"]?.GetValue<string>())
            {
                case "next":
                    var payload = message["payload"]!;
                    if (payload["errors"] is JsonArray { Count: > 0 } errors)
                    {
                        throw ErrorOf(errors);
                    }
                    yield return _read(payload["data"]!);
                    break;
                case "error":
                    throw ErrorOf(message["payload"]);
                case "complete":
                    yield break;
                case var type:
                    await AnswerPingAsync(type, cancellationToken);
                    break;
            }
        }
    }

    internal LabelingSubscription<TResult> Select<TResult>(Func<T, TResult> map) => new(_socket, data => map(_read(data)), _sending);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await SendAsync(new { id = OperationId, type = "complete" }, CancellationToken.None);
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The server went first; there is nothing left to close.
        }
        _socket.Dispose();
    }

    private Task AnswerPingAsync(string? type, CancellationToken cancellationToken) =>
        type == "ping" ? SendAsync(new { type = "pong" }, cancellationToken) : Task.CompletedTask;

    private static LabelingApiException ErrorOf(JsonNode? errors) =>
        new(errors?.Deserialize<List<GraphQLError>>(LabelingClient.Json) is { Count: > 0 } list
            ? list
            : [new GraphQLError("labeling ended the subscription with an error it did not describe.", null)]);

    private static Uri WebSocketUri(HttpClient http)
    {
        var address = new Uri(http.BaseAddress ?? throw new InvalidOperationException("The labeling client has no BaseAddress."), "graphql");
        return new UriBuilder(address) { Scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
    }

    private async Task SendAsync(object message, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, LabelingClient.Json), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task<JsonNode?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return JsonNode.Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
            }
        }
    }
}
