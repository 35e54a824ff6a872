using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Cl2.Gateway.Limits;

/// <summary>
/// One token bucket per caller: a signed-in user or client by its name (from <see cref="HttpContext.User"/>: a browser
/// session or a bearer token the gateway validated), anyone else by remote address. A caller over its rate gets 429 with
/// Retry-After; the others are not affected. Health probes are not limited (an orchestrator must always reach them).
/// </summary>
public static class CallerRateLimiter
{
    public static void AddCallerRateLimiter(this IServiceCollection services, GatewayLimitsOptions limits)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => http.Request.Path.StartsWithSegments("/health")
                ? RateLimitPartition.GetNoLimiter("health")
                : RateLimitPartition.GetTokenBucketLimiter(Caller(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            options.OnRejected = (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(rejected.HttpContext.Response.WriteAsync(
                    $"Too many requests from {Caller(rejected.HttpContext)}: the gateway allows {limits.RequestsPerSecond} per second " +
                    $"with bursts of {limits.Burst} (Gateway:Limits); retry after {seconds} s.", cancellationToken));
            };
        });
    }

    /// <summary>The partition: <c>user:NAME</c> for a signed-in caller (its subject when the token names no one), <c>address:IP</c>
    /// otherwise.</summary>
    public static string Caller(HttpContext http) => http.User.Identity switch
    {
        { IsAuthenticated: true, Name: { Length: > 0 } name } => $"user:{name}",
        { IsAuthenticated: true } when http.User.FindFirst("sub")?.Value is { Length: > 0 } subject => $"user:{subject}",
        _ => $"address:{http.Connection.RemoteIpAddress}",
    };
}
