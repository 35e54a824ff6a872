using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Transport;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// GraphQL over WebSocket with the graphql-transport-ws protocol (the one the graphql-ws library speaks): the client
/// sends connection_init and gets connection_ack, then subscribe/complete per operation id; the server sends next,
/// error and complete. Protocol violations close the socket with the codes the protocol names (4400, 4401, 4406,
/// 4408, 4409, 4429).
/// </summary>
public sealed class GraphQLWebSocketSession(WebSocket socket, HttpContext http, TimeSpan initTimeout)
{
    public const string SubProtocol = "graphql-transport-ws";

    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ConcurrentDictionary<string, IDisposable> operations = new(StringComparer.Ordinal);
    private readonly IGraphQLTextSerializer serializer = http.RequestServices.GetRequiredService<IGraphQLTextSerializer>();
    private bool acknowledged;

    public static async Task AcceptAsync(HttpContext http, TimeSpan initTimeout)
    {
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol))
        {
            using var refused = await http.WebSockets.AcceptWebSocketAsync();
            await refused.CloseAsync((WebSocketCloseStatus)4406, "Subprotocol not acceptable", http.RequestAborted);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
        await new GraphQLWebSocketSession(socket, http, initTimeout).RunAsync(http.RequestAborted);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var initTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        initTimer.CancelAfter(initTimeout);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var text = await ReceiveAsync(acknowledged ? cancellationToken : initTimer.Token);
                if (text is null)
                {
                    break;
                }
                if (!await HandleAsync(text, cancellationToken))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !acknowledged)
        {
            await CloseAsync(4408, "Connection initialisation timeout");
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The client went away; its subscriptions end below.
        }
        finally
        {
            foreach (var operation in operations.Values)
            {
                operation.Dispose();
            }
            operations.Clear();
        }
    }

    /// <returns>false once the socket has been closed.</returns>
    private async Task<bool> HandleAsync(string text, CancellationToken cancellationToken)
    {
        JsonNode? message;
        try
        {
            message = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            message = null;
        }
        var type = message?["type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var typeText) ? typeText : null;
        var id = message?["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var idText) ? idText : null;
        var payload = message?["payload"] as JsonObject;
        switch (type)
        {
            case "connection_init" when acknowledged:
                await CloseAsync(4429, "Too many initialisation requests");
                return false;
            case "connection_init":
                acknowledged = true;
                await SendAsync("""{"type":"connection_ack"}""");
                return true;
            case "ping":
                await SendAsync("""{"type":"pong"}""");
                return true;
            case "pong":
                return true;
            case "subscribe" when !acknowledged:
                await CloseAsync(4401, "Unauthorized");
                return false;
            case "subscribe" when id is { Length: > 0 } && payload is not null:
                if (operations.ContainsKey(id))
                {
                    await CloseAsync(4409, $"Subscriber for {id} already exists");
                    return false;
                }
                await SubscribeAsync(id, payload, cancellationToken);
                return true;
            case "complete" when id is { Length: > 0 }:
                if (operations.TryRemove(id, out var operation))
                {
                    operation.Dispose();
                }
                return true;
            default:
                await CloseAsync(4400, type is null ? "Invalid message" : $"Invalid message of type '{type}'");
                return false;
        }
    }

    private async Task SubscribeAsync(string id, JsonObject payload, CancellationToken cancellationToken)
    {
        GraphQLRequest? request;
        try
        {
            request = serializer.Deserialize<GraphQLRequest>(payload.ToJsonString());
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request?.Query is not { Length: > 0 } query)
        {
            await SendErrorAsync(id, new ExecutionResult { Errors = [new ExecutionError("The subscribe payload needs a 'query' string.") { Code = "REQUEST_INVALID" }] });
            return;
        }
        // Registered before executing so a 'complete' that arrives meanwhile is honoured, and a duplicate id is refused.
        var registration = new Registration();
        operations[id] = registration;
        var result = await http.RequestServices.GetRequiredService<IDocumentExecuter<LabelingSchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = http.RequestServices,
            User = http.User,
            CancellationToken = cancellationToken,
            UnhandledExceptionDelegate = DomainErrors.ToExecutionErrorAsync,
        });
        if (!result.Executed)
        {
            operations.TryRemove(id, out _);
            await SendErrorAsync(id, result);
            return;
        }
        if (result.Streams is not { Count: > 0 } streams)
        {
            // A query or mutation over the socket: one result, then complete.
            operations.TryRemove(id, out _);
            await SendNextAsync(id, result);
            await SendAsync(JsonSerializer.Serialize(new { id, type = "complete" }));
            return;
        }
        var stream = streams.Values.First();
        registration.Set(stream.Subscribe(new Forwarder(this, id)));
        if (!operations.ContainsKey(id))
        {
            registration.Dispose();
        }
    }

    private Task SendNextAsync(string id, ExecutionResult result) =>
        SendAsync($$"""{"id":{{JsonSerializer.Serialize(id)}},"type":"next","payload":{{serializer.Serialize(result)}}}""");

    private Task SendErrorAsync(string id, ExecutionResult result)
    {
        var errors = JsonNode.Parse(serializer.Serialize(result))?["errors"]?.ToJsonString() ?? "[]";
        return SendAsync($$"""{"id":{{JsonSerializer.Serialize(id)}},"type":"error","payload":{{errors}}}""");
    }

    private async Task SendAsync(string text)
    {
        await sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The client left between the check and the send; nothing to deliver to.
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task CloseAsync(int code, string reason)
    {
        await sending.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
            }
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task<string?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await CloseAsync(1000, "Bye");
                return null;
            }
            message.Write(buffer, 0, received.Count);
            if (message.Length > 1024 * 1024)
            {
                await CloseAsync(4400, "Message too large");
                return null;
            }
            if (received.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
    }

    private sealed class Registration : IDisposable
    {
        private IDisposable? subscription;
        private bool disposed;

        public void Set(IDisposable value)
        {
            lock (this)
            {
                if (disposed)
                {
                    value.Dispose();
                    return;
                }
                subscription = value;
            }
        }

        public void Dispose()
        {
            lock (this)
            {
                disposed = true;
                subscription?.Dispose();
            }
        }
    }

    private sealed class Forwarder(GraphQLWebSocketSession session, string id) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => _ = session.SendNextAsync(id, value);

        public void OnError(Exception error) => _ = session.SendErrorAsync(id,
            new ExecutionResult { Errors = [new ExecutionError(error.Message) { Code = "SUBSCRIPTION_FAILED" }] });

        public void OnCompleted()
        {
            if (session.operations.TryRemove(id, out _))
            {
                _ = session.SendAsync(JsonSerializer.Serialize(new { id, type = "complete" }));
            }
        }
    }
}
