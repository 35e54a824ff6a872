using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;

namespace Cl2.Gateway.Limits;

/// <summary>
/// Headers on every answer: nosniff and no framing (the review page must not be clickjacked inside another site), and a
/// Content-Security-Policy on what the gateway serves itself. Proxied answers keep what their backend set, plus these.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, GatewayLimitsOptions limits) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            if (http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is null && StringValues.IsNullOrEmpty(headers.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = limits.ContentSecurityPolicy;
            }
            return Task.CompletedTask;
        });
        return next(http);
    });

    /// <summary>A body the route refuses by its declared length is answered 413 here, before any byte reaches a backend;
    /// a body without a declared length is cut off at the same limit by Kestrel as it streams.</summary>
    public static IApplicationBuilder UseRouteBodyLimits(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config is { MaxRequestBodySize: > 0 and var limit } route
            && http.Request.ContentLength > limit)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return http.Response.WriteAsync($"The request body of {http.Request.ContentLength} bytes is larger than the {limit} bytes route " +
                $"'{route.RouteId}' accepts (ReverseProxy:Routes:{route.RouteId}:MaxRequestBodySize).");
        }
        return next(http);
    });
}
