using System.ComponentModel.DataAnnotations;

namespace Cl2.Gateway.Limits;

/// <summary>What one caller may ask of the gateway, and the headers it answers with (section <c>Gateway:Limits</c>).
/// Request body sizes are per route, in YARP's own <c>ReverseProxy:Routes:{route}:MaxRequestBodySize</c>.</summary>
public sealed class GatewayLimitsOptions : IValidatableObject
{
    public const string Section = "Gateway:Limits";

    /// <summary>Requests one caller (a signed-in user or client by name; anyone else by address) may make per second,
    /// sustained.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Gateway:Limits:RequestsPerSecond must be 1-1000000.")]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Requests one caller may make at once beyond the sustained rate (a viewer loading a series in parallel).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Gateway:Limits:Burst must be 1-1000000.")]
    public int Burst { get; set; } = 1000;

    /// <summary>Content-Security-Policy of what the gateway serves itself (the front page, the web app); proxied API
    /// answers do not get it. The web app needs WebAssembly codecs and blob: workers (Cornerstone).</summary>
    public string ContentSecurityPolicy { get; set; } =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; img-src 'self' data: blob:; " +
        "style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Strict-Transport-Security max-age outside Development (sent on HTTPS answers only, never for localhost).</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Origins whose browser scripts may call the gateway (CORS); empty, the default, allows none.</summary>
    public List<string> CorsOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in CorsOrigins.Where(origin => !(Uri.TryCreate(origin, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            && url.AbsolutePath == "/" && !origin.EndsWith('/'))))
        {
            yield return new ValidationResult($"Gateway:Limits:CorsOrigins '{origin}' must be an origin such as https://viewer.example.org (scheme, host, port; no path, no trailing slash).");
        }
        if (HstsMaxAge < TimeSpan.Zero)
        {
            yield return new ValidationResult("Gateway:Limits:HstsMaxAge must not be negative.");
        }
    }
}
