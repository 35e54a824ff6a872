using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Limits and switches of the GraphQL endpoint (section <c>GraphQL</c>). Each limit bounds what one request can cost
/// whoever sends it (docs/security.md); a request over a limit is refused before it runs, with a code naming the limit.
/// </summary>
public sealed class GraphQLOptions
{
    public const string Section = "GraphQL";

    /// <summary>Deepest selection nesting a query may have; deeper queries are refused before they run (QUERY_TOO_DEEP).</summary>
    [Range(2, 64)]
    public int MaxDepth { get; set; } = 12;

    /// <summary>
    /// Largest estimated cost a query may have (QUERY_TOO_COMPLEX): each field costs 1, times the expected list sizes
    /// above it, and each root field costs <see cref="RootFieldCost"/> more. Each fragment is costed once, however often it is spread.
    /// </summary>
    [Range(10, 10_000_000)]
    public int MaxComplexity { get; set; } = 50_000;

    /// <summary>
    /// Largest estimated cost of the introspection fields (<c>__schema</c>, <c>__type</c>) in one query
    /// (QUERY_TOO_COMPLEX), costed like data fields with the schema's own list sizes. Kept apart from
    /// <see cref="MaxComplexity"/> because it grows with the schema, not with the data: GraphiQL's introspection query
    /// cost about 56,000 when the schema had routing, delivery and stuck-study fields, ten times that is allowed.
    /// </summary>
    [Range(10, 100_000_000)]
    public int MaxIntrospectionComplexity { get; set; } = 500_000;

    /// <summary>What a root field adds to the cost on top of its selections: it opens a database session of its own.</summary>
    [Range(0, 1_000_000)]
    public int RootFieldCost { get; set; } = 1_000;

    /// <summary>Most root fields (distinct response names, through fragments) one operation may select (TOO_MANY_ROOT_FIELDS).</summary>
    [Range(1, 1000)]
    public int MaxRootFields { get; set; } = 20;

    /// <summary>Most aliased fields in one document (TOO_MANY_ALIASES).</summary>
    [Range(0, 10_000)]
    public int MaxAliases { get; set; } = 50;

    /// <summary>
    /// Most field selections written in one document, fragments counted once (TOO_MANY_FIELDS). Checked right after
    /// parsing, before validation, whose overlapping-fields rule compares same-named fields pairwise.
    /// </summary>
    [Range(10, 100_000)]
    public int MaxFields { get; set; } = 2_000;

    /// <summary>Most lexical tokens in one document (QUERY_TOO_LARGE); counted before the document is parsed.</summary>
    [Range(100, 1_000_000)]
    public int MaxTokens { get; set; } = 20_000;

    /// <summary>
    /// Time budget of one operation, validation and execution together (TIMEOUT); the request's own cancellation (the
    /// client leaving) stops it sooner.
    /// </summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Most fields one request resolves at once, hence most database sessions one request holds.</summary>
    [Range(1, 64)]
    public int MaxParallelResolvers { get; set; } = 4;

    /// <summary>Schema introspection (<c>__schema</c>, <c>__type</c>); turn off where the schema should not be browsable.</summary>
    public bool EnableIntrospection { get; set; } = true;

    /// <summary>Largest request body in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a WebSocket client has to send connection_init before the socket is closed (4408).</summary>
    [Range(1, 300)]
    public int ConnectionInitTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How often the server sends a graphql-transport-ws <c>ping</c> on an open socket, so that proxies (the gateway's
    /// <c>ActivityTimeout</c>) do not close a quiet subscription; keep it well under every idle timeout on the way.
    /// </summary>
    [Range(1, 3600)]
    public int KeepAliveIntervalSeconds { get; set; } = 15;

    /// <summary>Most operations (subscriptions) open at once on one WebSocket; one more gets an error (TOO_MANY_SUBSCRIPTIONS).</summary>
    [Range(1, 10_000)]
    public int MaxSubscriptionsPerConnection { get; set; } = 50;

    /// <summary>
    /// Most messages waiting to be sent on one WebSocket. A client that falls this far behind is closed (4500) rather than
    /// held in memory; publishing never waits for it.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxQueuedMessagesPerConnection { get; set; } = 1_000;

    /// <summary>
    /// Most committed events waiting for one subscription to take them; a subscription that falls further behind is ended
    /// (its client gets an error for it) so that publishing never waits.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedEventsPerSubscriber { get; set; } = 1_000;

    /// <summary>How long one WebSocket message may take to send before the client counts as gone and the socket is aborted.</summary>
    [Range(1, 600)]
    public int SendTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>) whose pages may open a GraphQL WebSocket besides the server's own
    /// (the request's host, or the gateway's <c>X-Forwarded-Host</c>). A socket without an Origin header (not a browser) is
    /// accepted; any other origin is refused with 403, so another site's page cannot act with its visitor's sign-in.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
