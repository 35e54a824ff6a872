using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;
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

    /// <summary>
    /// A body the route refuses by its declared length is answered 413 here, before any byte reaches a backend. A body
    /// without a declared length (chunked) is cut off at the same limit by Kestrel as it streams, and YARP then gives up
    /// forwarding it; that too is answered 413 with the limit, not the 400/502 a broken forward would be.
    /// </summary>
    public static IApplicationBuilder UseRouteBodyLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var route = http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config;
        if (route is { MaxRequestBodySize: > 0 and var limit } && http.Request.ContentLength > limit)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await http.Response.WriteAsync($"The request body of {http.Request.ContentLength} bytes is larger than the {limit} bytes route " +
                $"'{route.RouteId}' accepts (ReverseProxy:Routes:{route.RouteId}:MaxRequestBodySize).");
            return;
        }
        await next(http);
        if (route is { MaxRequestBodySize: > 0 and var streamedLimit } && !http.Response.HasStarted
            && http.Features.Get<IForwarderErrorFeature>()?.Exception is { } error && IsBodyTooLarge(error))
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await http.Response.WriteAsync($"The request body grew past the {streamedLimit} bytes route '{route.RouteId}' accepts " +
                $"(ReverseProxy:Routes:{route.RouteId}:MaxRequestBodySize); it was cut off there and not forwarded whole. " +
                "Send less in one request (several STOW-RS requests, say).");
        }
    });

    /// <summary>Kestrel's refusal of a body past the request's limit, however YARP wrapped it.</summary>
    private static bool IsBodyTooLarge(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                return true;
            }
        }
        return false;
    }
}
