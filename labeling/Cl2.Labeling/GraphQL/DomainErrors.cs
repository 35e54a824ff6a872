using GraphQL;
using GraphQL.Execution;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Turns an exception from a resolver into the GraphQL error a client gets. A <see cref="DomainException"/> keeps its
/// stable code and details; text that did not parse (<see cref="FormatException"/>: an id, a digest) is INVALID_ARGUMENT
/// with its message. Anything else is the server's fault: it is logged whole with a correlation id, and the client gets
/// INTERNAL with that id (<c>extensions.correlationId</c>) and nothing of the exception (no SQL, file, line or stack).
/// </summary>
public static partial class DomainErrors
{
    public const string Internal = "INTERNAL";
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string CorrelationIdKey = "correlationId";

    public static Task ToExecutionErrorAsync(UnhandledExceptionContext context)
    {
        var field = context.FieldContext?.FieldDefinition.Name;
        context.Exception = context.OriginalException switch
        {
            DomainException domain => FromDomain(domain),
            FormatException format => new ExecutionError(
                $"{(field is null ? "An argument" : $"An argument of '{field}'")} is not in the expected form: {format.Message}")
            {
                Code = InvalidArgument,
            },
            var unexpected => Logged(unexpected, field, context.ExecutionOptions.RequestServices),
        };
        return Task.CompletedTask;
    }

    private static ExecutionError FromDomain(DomainException domain)
    {
        var error = new ExecutionError(domain.Message) { Code = domain.Code };
        foreach (var (key, value) in domain.Details)
        {
            error.Data[key] = value;
        }
        return error;
    }

    /// <summary>Logs <paramref name="exception"/> and returns the INTERNAL error that names it by id only.</summary>
    public static ExecutionError Logged(Exception exception, string? field, IServiceProvider? services)
    {
        var correlationId = NewCorrelationId();
        var logger = services?.GetService<ILoggerFactory>()?.CreateLogger(typeof(DomainErrors).FullName!);
        if (logger is not null)
        {
            ServerFailed(logger, exception, correlationId, field ?? "(document)");
        }
        return InternalError(correlationId);
    }

    public static ExecutionError InternalError(string correlationId)
    {
        var error = new ExecutionError(
            $"The server failed to answer this part of the request. Report the correlation id {correlationId} to the operators: the server log has the details under it.")
        { Code = Internal };
        error.Extensions = new Dictionary<string, object?> { [CorrelationIdKey] = correlationId };
        return error;
    }

    public static string NewCorrelationId() => Guid.NewGuid().ToString("N");

    [LoggerMessage(Level = LogLevel.Error, Message = "GraphQL server failure {CorrelationId} while resolving {Field}")]
    private static partial void ServerFailed(ILogger logger, Exception exception, string correlationId, string field);
}
