using GraphQL;
using Marten;

namespace Cl2.Labeling.GraphQL;

/// <summary>What a resolver needs from the request: the store, the clock, and the caller.</summary>
public static class ResolverContext
{
    /// <summary>
    /// The document store, from which each resolver opens its own session: GraphQL.NET resolves sibling query fields
    /// in parallel and a Marten session is not thread-safe, so one session per request would be shared unsafely.
    /// </summary>
    public static IDocumentStore Store(this IResolveFieldContext context) => context.Service<IDocumentStore>();

    public static DateTimeOffset Now(this IResolveFieldContext context) => context.Service<TimeProvider>().GetUtcNow();

    /// <summary>Who asks: the signed-in user's name. Sign-in comes with the gateway; until then callers are anonymous.</summary>
    public static string Actor(this IResolveFieldContext context) =>
        context.User?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";

    private static T Service<T>(this IResolveFieldContext context) where T : notnull =>
        (context.RequestServices ?? throw new InvalidOperationException("GraphQL ran without request services.")).GetRequiredService<T>();
}
