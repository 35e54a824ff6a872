using System.ComponentModel.DataAnnotations;

namespace Cl2.Gateway;

/// <summary>The gateway's own settings (section <c>Gateway</c>); the routes and backends are YARP's <c>ReverseProxy</c> section.</summary>
public sealed class GatewayOptions : IValidatableObject
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

    /// <summary>
    /// The gateway's address as clients reach it, e.g. <c>https://cl2.example.org</c>. The backends hear it as
    /// X-Forwarded-Proto/Host/Prefix and build the links they answer with from it (DICOMweb RetrieveURL, say). Empty: the
    /// address the gateway listens on. Never the Host header a client sent, which anyone can set.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicBaseUrl.Length > 0 && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            && url.Query.Length == 0 && url.Fragment.Length == 0))
        {
            yield return new($"Gateway:PublicBaseUrl '{PublicBaseUrl}' must be an absolute http(s) URL without query, such as https://cl2.example.org (or empty).");
        }
    }
}
