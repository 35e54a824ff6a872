using GraphQL;
using GraphQL.Execution;

namespace Cl2.Labeling.GraphQL;

/// <summary>Turns a <see cref="DomainException"/> from a resolver into a GraphQL error with its stable code and details.</summary>
public static class DomainErrors
{
    public static Task ToExecutionErrorAsync(UnhandledExceptionContext context)
    {
        if (context.OriginalException is DomainException domain)
        {
            var error = new ExecutionError(domain.Message) { Code = domain.Code };
            foreach (var (key, value) in domain.Details)
            {
                error.Data[key] = value;
            }
            context.Exception = error;
        }
        return Task.CompletedTask;
    }
}
