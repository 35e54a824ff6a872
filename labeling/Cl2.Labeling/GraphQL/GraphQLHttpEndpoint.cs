using System.Text.Json;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// GraphQL over HTTP (the GraphQL-over-HTTP spec): POST with a JSON body for anything, GET with query parameters for
/// queries only. Answers <c>application/graphql-response+json</c>, whose status says whether the request ran:
/// 200 when it executed (field errors included), 400 when it could not (malformed, invalid, too deep, too costly), 503 when it ran out of time, 405 for a
/// mutation over GET (or a query field that changes state, <see cref="SideEffects"/>) or another method, 406 for an Accept it cannot meet, 413 for a body over the limit, 415 for a
/// POST body that is not JSON. A WebSocket upgrade on the same path speaks graphql-transport-ws (subscriptions). Clients that accept only <c>application/json</c> get the legacy behaviour: 200 for any
/// well-formed request.
/// </summary>
public static class GraphQLHttpEndpoint
{
    public const string Path = "/graphql";
    public const string GraphQLResponseMediaType = "application/graphql-response+json";
    public const string JsonMediaType = "application/json";

    public static IEndpointConventionBuilder MapGraphQL(this IEndpointRouteBuilder endpoints) => endpoints.Map(Path, HandleAsync);

    /// <summary>
    /// Whatever fails, a GraphQL client gets a GraphQL answer: an unexpected exception is logged with a correlation id and
    /// answered 500 INTERNAL with that id, never with the developer exception page (which echoes the request's headers).
    /// </summary>
    private static async Task HandleAsync(HttpContext http)
    {
        try
        {
            await HandleRequestAsync(http);
        }
        catch (Exception exception) when (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted && !http.WebSockets.IsWebSocketRequest)
        {
            var error = DomainErrors.Logged(exception, null, http.RequestServices);
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            http.Response.ContentType = GraphQLResponseMediaType + "; charset=utf-8";
            await http.RequestServices.GetRequiredService<IGraphQLTextSerializer>()
                .WriteAsync(http.Response.Body, new ExecutionResult { Errors = [error] }, http.RequestAborted);
        }
    }

    private static async Task HandleRequestAsync(HttpContext http)
    {
        var cancellationToken = http.RequestAborted;
        var services = http.RequestServices;
        var serializer = services.GetRequiredService<IGraphQLTextSerializer>();
        var options = services.GetRequiredService<IOptions<GraphQLOptions>>().Value;

        if (http.WebSockets.IsWebSocketRequest)
        {
            if (!WebSocketOrigin.IsAllowed(http.Request, options))
            {
                await WriteRequestErrorAsync(http, serializer, StatusCodes.Status403Forbidden, GraphQLResponseMediaType, "ORIGIN_NOT_ALLOWED",
                    $"A page from {http.Request.Headers.Origin} may not open a GraphQL WebSocket here; add the origin to GraphQL:AllowedOrigins if it should.");
                return;
            }
            await GraphQLWebSocketSession.AcceptAsync(http, options);
            return;
        }

        var isGet = HttpMethods.IsGet(http.Request.Method);
        if (!isGet && !HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, POST";
            await WriteRequestErrorAsync(http, serializer, StatusCodes.Status405MethodNotAllowed, GraphQLResponseMediaType,
                "REQUEST_METHOD_NOT_ALLOWED", "GraphQL accepts GET (queries) and POST.");
            return;
        }
        if (NegotiateMediaType(http.Request) is not { } mediaType)
        {
            await WriteRequestErrorAsync(http, serializer, StatusCodes.Status406NotAcceptable, GraphQLResponseMediaType,
                "NOT_ACCEPTABLE", $"Accept {GraphQLResponseMediaType} or {JsonMediaType}.");
            return;
        }

        GraphQLRequest? request;
        try
        {
            request = isGet ? ReadQueryString(http.Request, serializer) : await ReadBodyAsync(http, serializer, options, cancellationToken);
        }
        catch (RequestRejected rejected)
        {
            await WriteRequestErrorAsync(http, serializer, rejected.Status, mediaType, rejected.Code, rejected.Message);
            return;
        }
        if (request?.Query is not { Length: > 0 } query)
        {
            await WriteRequestErrorAsync(http, serializer, StatusCodes.Status400BadRequest, mediaType,
                "REQUEST_INVALID", "The request needs a 'query' string.");
            return;
        }

        var (document, refusal) = QueryDocument.Parse(query, options);
        if (refusal is not null)
        {
            QueryDocument.LogRefused(services, refusal, http.User);
            await WriteRequestErrorAsync(http, serializer, StatusCodes.Status400BadRequest, mediaType, refusal.Code!, refusal.Message);
            return;
        }
        if (isGet && document is not null && SelectOperation(document, request.OperationName)?.Operation is OperationType.Mutation or OperationType.Subscription)
        {
            http.Response.Headers.Allow = "POST";
            await WriteRequestErrorAsync(http, serializer, StatusCodes.Status405MethodNotAllowed, mediaType,
                "REQUEST_METHOD_NOT_ALLOWED", "Mutations are sent with POST; GET may only run queries.");
            return;
        }
        if (isGet && document is not null && SelectOperation(document, request.OperationName) is { Operation: OperationType.Query } read
            && SideEffects.FirstIn(read, document, services.GetRequiredService<LabelingSchema>().Query) is { } changing)
        {
            http.Response.Headers.Allow = "POST";
            await WriteRequestErrorAsync(http, serializer, StatusCodes.Status405MethodNotAllowed, mediaType,
                "REQUEST_METHOD_NOT_ALLOWED", $"'{changing}' changes state (it assigns work to the caller); send it with POST.");
            return;
        }

        var result = await services.GetRequiredService<IDocumentExecuter<LabelingSchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            Document = document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = services,
            User = http.User,
            CancellationToken = cancellationToken,
        });

        // Out of time (GraphQLOptions.RequestTimeoutSeconds) is the server's answer, not the request's fault.
        var timedOut = result.Errors?.OfType<TimeoutError>().Any() == true;
        if (timedOut)
        {
            QueryDocument.LogRefused(services, result.Errors!.OfType<TimeoutError>().First(), http.User);
        }
        http.Response.StatusCode = timedOut && mediaType != JsonMediaType ? StatusCodes.Status503ServiceUnavailable
            : result.Executed || mediaType == JsonMediaType ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, cancellationToken);
    }

    private static string? NegotiateMediaType(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return GraphQLResponseMediaType;
        }
        foreach (var range in accept.OrderByDescending(value => value.Quality ?? 1))
        {
            if (range.Quality == 0)
            {
                continue;
            }
            if (range.MediaType.Equals(GraphQLResponseMediaType, StringComparison.OrdinalIgnoreCase)
                || range.MediaType.Equals("*/*", StringComparison.Ordinal)
                || range.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                return GraphQLResponseMediaType;
            }
            if (range.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase))
            {
                return JsonMediaType;
            }
        }
        return null;
    }

    private static GraphQLRequest ReadQueryString(HttpRequest request, IGraphQLTextSerializer serializer)
    {
        var parameters = request.Query;
        try
        {
            return new GraphQLRequest
            {
                Query = parameters["query"].ToString(),
                OperationName = parameters["operationName"] is { Count: > 0 } name && name.ToString().Length > 0 ? name.ToString() : null,
                Variables = parameters["variables"] is { Count: > 0 } variables ? serializer.Deserialize<Inputs>(variables.ToString()) : null,
                Extensions = parameters["extensions"] is { Count: > 0 } extensions ? serializer.Deserialize<Inputs>(extensions.ToString()) : null,
            };
        }
        catch (JsonException exception)
        {
            throw new RequestRejected(StatusCodes.Status400BadRequest, "REQUEST_INVALID", $"The variables or extensions parameter is not JSON: {exception.Message}");
        }
    }

    private static async Task<GraphQLRequest?> ReadBodyAsync(HttpContext http, IGraphQLTextSerializer serializer, GraphQLOptions options, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new RequestRejected(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                $"POST a JSON body with Content-Type: {JsonMediaType}.");
        }
        if (http.Request.ContentLength > options.MaxRequestBytes)
        {
            throw TooLarge(options);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBytes;
        }
        try
        {
            return await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new RequestRejected(StatusCodes.Status400BadRequest, "REQUEST_INVALID", $"The body is not a GraphQL request in JSON: {exception.Message}");
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(options);
        }
    }

    private static RequestRejected TooLarge(GraphQLOptions options) =>
        new(StatusCodes.Status413PayloadTooLarge, "REQUEST_TOO_LARGE", $"The request body is over {options.MaxRequestBytes} bytes.");

    private static GraphQLOperationDefinition? SelectOperation(GraphQLDocument document, string? operationName)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        return operationName is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(operation => operation.Name?.StringValue == operationName);
    }

    private static async Task WriteRequestErrorAsync(HttpContext http, IGraphQLTextSerializer serializer, int status, string mediaType, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        var result = new ExecutionResult { Errors = [new ExecutionError(message) { Code = code }] };
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    private sealed class RequestRejected(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }
}
