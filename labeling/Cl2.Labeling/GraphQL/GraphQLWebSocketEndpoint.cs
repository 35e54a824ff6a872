using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// GraphQL over WebSocket with the graphql-transport-ws protocol (the one the graphql-ws library speaks): the client
/// sends connection_init and gets connection_ack, then subscribe/complete per operation id; the server sends next,
/// error and complete. Protocol violations close the socket with the codes the protocol names (4400, 4401, 4406,
/// 4408, 4409, 4429). The server pings every <see cref="GraphQLOptions.KeepAliveIntervalSeconds"/> so proxies keep a
/// quiet socket open. What the server sends waits in a bounded queue that one writer empties, each send under a time-out:
/// a client that stops reading is closed (4500) when the queue is full, and never holds up the event hub or other
/// clients. When the host stops, every socket is closed with 1001 (going away).
/// </summary>
public sealed partial class GraphQLWebSocketSession
{
    public const string SubProtocol = "graphql-transport-ws";
    public const int TooSlowCloseCode = 4500;

    private readonly WebSocket _socket;
    private readonly HttpContext _http;
    private readonly GraphQLOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<string> _outbox;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<string, IDisposable> _operations = new(StringComparer.Ordinal);
    private readonly IGraphQLTextSerializer _serializer;
    private readonly CancellationTokenSource _ended = new();
    private volatile bool _acknowledged;

    private GraphQLWebSocketSession(WebSocket socket, HttpContext http, GraphQLOptions options)
    {
        (this._socket, this._http, this._options) = (socket, http, options);
        _logger = http.RequestServices.GetRequiredService<ILogger<GraphQLWebSocketSession>>();
        _serializer = http.RequestServices.GetRequiredService<IGraphQLTextSerializer>();
        _outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(options.MaxQueuedMessagesPerConnection) { SingleReader = true });
    }

    private TimeSpan SendTimeout => TimeSpan.FromSeconds(_options.SendTimeoutSeconds);

    public static async Task AcceptAsync(HttpContext http, GraphQLOptions options)
    {
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol))
        {
            using var refused = await http.WebSockets.AcceptWebSocketAsync();
            await refused.CloseAsync((WebSocketCloseStatus)4406, "Subprotocol not acceptable", http.RequestAborted);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
        var session = new GraphQLWebSocketSession(socket, http, options);
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var onStop = stopping.Register(() => _ = session.CloseAsync(1001, "Server going away"));
        await session.RunAsync(http.RequestAborted);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        var writer = WriteAsync();
        var keepAlive = KeepAliveAsync(linked.Token);
        var initDeadline = InitDeadlineAsync(linked.Token);
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var text = await ReceiveAsync(linked.Token);
                if (text is null || !await HandleAsync(text, linked.Token))
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The client went away, or the socket was closed or aborted from here; its subscriptions end below.
        }
        finally
        {
            foreach (var operation in _operations.Values)
            {
                operation.Dispose();
            }
            _operations.Clear();
            await _ended.CancelAsync();
            _outbox.Writer.TryComplete();
            await Task.WhenAll(writer, keepAlive, initDeadline);
        }
    }

    /// <summary>A client that has not sent connection_init in time is closed with 4408; the pending receive is left alone
    /// (cancelling it would abort the socket before the close frame goes out).</summary>
    private async Task InitDeadlineAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(_options.ConnectionInitTimeoutSeconds), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!_acknowledged)
        {
            await CloseAsync(4408, "Connection initialisation timeout");
        }
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.KeepAliveIntervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_acknowledged)
                {
                    Enqueue("""{"type":"ping"}""");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
    }

    /// <summary>The token in a connection_init payload's <c>Authorization</c> ("Bearer …" or the token alone), if any.</summary>
    private static string? BearerToken(JsonObject? payload)
    {
        if (payload?["Authorization"] is not JsonValue value || !value.TryGetValue<string>(out var authorization))
        {
            return null;
        }
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : authorization.Trim();
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
            case "connection_init" when _acknowledged:
                await CloseAsync(4429, "Too many initialisation requests");
                return false;
            case "connection_init":
                if (BearerToken(payload) is { } token)
                {
                    // A browser cannot put a header on a WebSocket: the access token comes in the payload, checked like a header's.
                    if (await _http.ValidateBearerTokenAsync(token, cancellationToken) is not { } caller)
                    {
                        await CloseAsync(4403, "Forbidden: the access token in connection_init is not valid");
                        return false;
                    }
                    _http.User = caller;
                }
                _acknowledged = true;
                Enqueue("""{"type":"connection_ack"}""");
                return true;
            case "ping":
                Enqueue("""{"type":"pong"}""");
                return true;
            case "pong":
                return true;
            case "subscribe" when !_acknowledged:
                await CloseAsync(4401, "Unauthorized");
                return false;
            case "subscribe" when id is { Length: > 0 } && payload is not null:
                if (_operations.ContainsKey(id))
                {
                    await CloseAsync(4409, $"Subscriber for {id} already exists");
                    return false;
                }
                if (_operations.Count >= _options.MaxSubscriptionsPerConnection)
                {
                    SendError(id, [new ExecutionError(
                        $"This connection has {_operations.Count} operations open, the most one connection may have; complete one first, or open another connection.")
                        { Code = "TOO_MANY_SUBSCRIPTIONS" }]);
                    return true;
                }
                await SubscribeAsync(id, payload, cancellationToken);
                return true;
            case "complete" when id is { Length: > 0 }:
                if (_operations.TryRemove(id, out var operation))
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
            request = _serializer.Deserialize<GraphQLRequest>(payload.ToJsonString());
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request?.Query is not { Length: > 0 } query)
        {
            SendError(id, [new ExecutionError("The subscribe payload needs a 'query' string.") { Code = "REQUEST_INVALID" }]);
            return;
        }
        var (document, refusal) = QueryDocument.Parse(query, _options);
        if (refusal is not null)
        {
            QueryDocument.LogRefused(_http.RequestServices, refusal, _http.User);
            SendError(id, [refusal]);
            return;
        }
        // Registered before executing so a 'complete' that arrives meanwhile is honoured, and a duplicate id is refused.
        var registration = new Registration();
        _operations[id] = registration;
        var result = await _http.RequestServices.GetRequiredService<IDocumentExecuter<LabelingSchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            Document = document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = _http.RequestServices,
            User = _http.User,
            CancellationToken = cancellationToken,
        });
        if (!result.Executed)
        {
            _operations.TryRemove(id, out _);
            SendError(id, result.Errors ?? []);
            return;
        }
        if (result.Streams is not { Count: > 0 } streams)
        {
            // A query or mutation over the socket: one result, then complete.
            _operations.TryRemove(id, out _);
            SendNext(id, result);
            Enqueue(JsonSerializer.Serialize(new { id, type = "complete" }));
            return;
        }
        var stream = streams.Values.First();
        registration.Set(stream.Subscribe(new Forwarder(this, id)));
        if (!_operations.ContainsKey(id))
        {
            registration.Dispose();
        }
    }

    private void SendNext(string id, ExecutionResult result) =>
        Enqueue($$"""{"id":{{JsonSerializer.Serialize(id)}},"type":"next","payload":{{_serializer.Serialize(result)}}}""");

    private void SendError(string id, IEnumerable<ExecutionError> errors)
    {
        var serialized = JsonNode.Parse(_serializer.Serialize(new ExecutionResult { Errors = [.. errors] }))?["errors"]?.ToJsonString() ?? "[]";
        Enqueue($$"""{"id":{{JsonSerializer.Serialize(id)}},"type":"error","payload":{{serialized}}}""");
    }

    /// <summary>Queues a message for the writer; a client so far behind that the queue is full is closed instead.</summary>
    private void Enqueue(string text)
    {
        if (_outbox.Writer.TryWrite(text) || _ended.IsCancellationRequested)
        {
            return;
        }
        if (_outbox.Writer.TryComplete())
        {
            TooSlow(_logger, _options.MaxQueuedMessagesPerConnection, _http.User.Identity?.Name ?? "anonymous");
            _ = CloseAsync(TooSlowCloseCode, "Too slow: the client did not read what it subscribed to");
        }
    }

    private async Task WriteAsync()
    {
        await foreach (var text in _outbox.Reader.ReadAllAsync())
        {
            if (!await SendAsync(Encoding.UTF8.GetBytes(text)))
            {
                return;
            }
        }
    }

    /// <returns>false when the socket is no longer open or the send did not finish in time (the socket is then aborted).</returns>
    private async Task<bool> SendAsync(byte[] message)
    {
        await _sending.WaitAsync();
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                return false;
            }
            using var timeout = new CancellationTokenSource(SendTimeout);
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Cancelling a send aborts the socket: a client that takes longer than the send time-out to read a message is gone.
            if (exception is OperationCanceledException && !_ended.IsCancellationRequested)
            {
                SendTimedOut(_logger, _options.SendTimeoutSeconds, _http.User.Identity?.Name ?? "anonymous");
                // The connection too: what is already in its buffers would otherwise keep it open until the client read it.
                _http.Abort();
            }
            await _ended.CancelAsync();
            return false;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Sends the close frame (after a send in progress, bounded by the send time-out). The session ends when the client
    /// answers with its own close, or one send time-out later (ending it at once would abort the socket before the close
    /// frame has surely left).
    /// </summary>
    private async Task CloseAsync(int code, string reason)
    {
        _outbox.Writer.TryComplete();
        var sent = false;
        try
        {
            if (await _sending.WaitAsync(SendTimeout))
            {
                try
                {
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        using var timeout = new CancellationTokenSource(SendTimeout);
                        await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, timeout.Token);
                        sent = true;
                    }
                }
                finally
                {
                    _sending.Release();
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The client is gone or not reading; the session ends all the same.
        }
        if (sent)
        {
            _ended.CancelAfter(SendTimeout);
        }
        else
        {
            _http.Abort();
            await _ended.CancelAsync();
        }
    }

    private async Task<string?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await CloseAsync(1000, "Bye");
                return null;
            }
            message.Write(buffer, 0, received.Count);
            if (message.Length > _options.MaxRequestBytes)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "GraphQL WebSocket of {User} closed as too slow: {Queued} messages were waiting to be sent")]
    private static partial void TooSlow(ILogger logger, int queued, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GraphQL WebSocket of {User} closed as too slow: a message could not be sent within {Seconds} s (the client stopped reading)")]
    private static partial void SendTimedOut(ILogger logger, int seconds, string user);

    private sealed class Registration : IDisposable
    {
        private readonly Lock _gate = new();
        private IDisposable? _subscription;
        private bool _disposed;

        public void Set(IDisposable value)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    value.Dispose();
                    return;
                }
                _subscription = value;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _subscription?.Dispose();
            }
        }
    }

    private sealed class Forwarder(GraphQLWebSocketSession session, string id) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => session.SendNext(id, value);

        public void OnError(Exception error)
        {
            session._operations.TryRemove(id, out _);
            session.SendError(id, [error is SubscriberTooSlowException tooSlow
                ? new ExecutionError(tooSlow.Message) { Code = "SUBSCRIBER_TOO_SLOW" }
                : DomainErrors.Logged(error, id, session._http.RequestServices)]);
        }

        public void OnCompleted()
        {
            if (session._operations.TryRemove(id, out _))
            {
                session.Enqueue(JsonSerializer.Serialize(new { id, type = "complete" }));
            }
        }
    }
}
