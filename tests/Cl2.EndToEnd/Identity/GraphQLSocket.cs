using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cl2.EndToEnd.Identity;

/// <summary>A graphql-transport-ws client through the gateway, as a browser would open it: the token (if any) in connection_init.</summary>
public sealed class GraphQLSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public static async Task<GraphQLSocket> ConnectAsync(Uri gateway, string? token)
    {
        var connection = new GraphQLSocket();
        connection._socket.Options.AddSubProtocol("graphql-transport-ws");
        await connection._socket.ConnectAsync(new Uri($"ws://{gateway.Authority}/graphql"), CancellationToken.None);
        object payload = token is null ? new { } : new { Authorization = $"Bearer {token}" };
        await connection.SendAsync(new { type = "connection_init", payload });
        return connection;
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public Task SendAsync(object message) =>
        _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message's JSON, or null once the server closed the socket.</summary>
    public async Task<JsonNode?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var received = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            text.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return JsonNode.Parse(Encoding.UTF8.GetString(text.ToArray()));
            }
        }
    }

    /// <summary>
    /// Subscribes, then pings: the server handles a connection's messages in order, so a pong with no error before it means
    /// the subscription was accepted. Returns null when accepted, else the error's code.
    /// </summary>
    public async Task<string?> SubscribeAsync(string query)
    {
        await SendAsync(new { id = "1", type = "subscribe", payload = new { query } });
        await SendAsync(new { type = "ping" });
        while (await ReceiveAsync() is { } message)
        {
            switch (message["type"]?.GetValue<string>())
            {
                case "pong":
                    return null;
                case "error":
                    return message["payload"]![0]!["extensions"]!["code"]!.GetValue<string>();
            }
        }
        throw new InvalidOperationException($"the socket closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before the subscription was answered");
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        _socket.Dispose();
    }
}
