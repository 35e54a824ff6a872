namespace Cl2.Gateway;

/// <summary>The gateway's own settings (section <c>Gateway</c>); the routes and backends are YARP's <c>ReverseProxy</c> section.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// Runs socket completions and Kestrel's request handling on the socket event threads instead of handing each step to
    /// the thread pool. A proxied request then wakes two threads (request in, backend answer in) instead of four or five,
    /// which on a small, busy machine is most of what the gateway adds to a request (docs/benchmarks.md, graphql). Safe
    /// only while nothing on the gateway's request path blocks a thread: YARP, the health checks and the telemetry do not;
    /// set it to false before adding middleware that does.
    /// </summary>
    public bool InlineIoCompletions { get; set; } = true;
}
