using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.GraphQL;

/// <summary>Limits and switches of the GraphQL endpoint (section <c>GraphQL</c>).</summary>
public sealed class GraphQLOptions
{
    public const string Section = "GraphQL";

    /// <summary>Deepest selection nesting a query may have; deeper queries are refused before they run.</summary>
    [Range(2, 64)]
    public int MaxDepth { get; set; } = 12;

    /// <summary>Largest estimated cost (fields × expected list sizes) a query may have.</summary>
    [Range(10, 10_000_000)]
    public int MaxComplexity { get; set; } = 50_000;

    /// <summary>Schema introspection (<c>__schema</c>, <c>__type</c>); turn off where the schema should not be browsable.</summary>
    public bool EnableIntrospection { get; set; } = true;

    /// <summary>Largest request body in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a WebSocket client has to send connection_init before the socket is closed (4408).</summary>
    [Range(1, 300)]
    public int ConnectionInitTimeoutSeconds { get; set; } = 10;
}
