using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>graphql-transport-ws over a host's test server, one JSON message at a time.</summary>
public static class GraphQLSocket
{
    /// <param name="user">Connects as this user with these roles (the development identity headers); null as the default caller.</param>
    public static async Task<WebSocket> ConnectAsync(LabelingHost host, (string Name, string Roles)? user = null)
    {
        var client = host.Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            request.Headers.SecWebSocketProtocol = "graphql-transport-ws";
            if (user is { } caller)
            {
                request.Headers["X-Cl2-User"] = caller.Name;
                request.Headers["X-Cl2-Roles"] = caller.Roles;
            }
        };
        return await client.ConnectAsync(new Uri(host.Server.BaseAddress, "graphql"), CancellationToken.None);
    }

    public static Task SendAsync(WebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    public static async Task<JsonNode> ReceiveAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, received.MessageType);
        return JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!;
    }

    /// <summary>connection_init, then the subscription, answered once the server has registered it.</summary>
    public static async Task<WebSocket> SubscribeAsync(LabelingHost host, string id, string query, object variables, (string Name, string Roles)? user = null)
    {
        var socket = await ConnectAsync(host, user);
        await SendAsync(socket, new { type = "connection_init" });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new { id, type = "subscribe", payload = new { query, variables } });
        // The server handles a connection's messages in order, so once the pong is back the subscription is registered.
        await SendAsync(socket, new { type = "ping" });
        // Under load the server's own keep-alive ping can come first: answer it and wait on for the pong.
        var reply = await ReceiveAsync(socket);
        while (reply["type"]!.GetValue<string>() == "ping")
        {
            await SendAsync(socket, new { type = "pong" });
            reply = await ReceiveAsync(socket);
        }
        Assert.Equal("pong", reply["type"]!.GetValue<string>());
        return socket;
    }
}
