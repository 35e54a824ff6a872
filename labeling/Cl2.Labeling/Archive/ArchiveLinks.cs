using System.Net;
using Cl2.ServiceDefaults;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>
/// Where RetrieveURL, BulkDataURI and Content-Location point: <c>Archive:PublicBaseUrl</c> when configured; else the scheme,
/// host and prefix a trusted proxy forwarded (X-Forwarded-*, believed only from loopback and <c>Archive:TrustedProxies</c>);
/// else labeling's own listening address. Never the Host header a client sent, which anyone can set (a link to
/// <c>http://evil.example/…</c> in a QIDO answer would send a viewer's next request, and its credentials, there).
/// </summary>
public static class ArchiveLinks
{
    private static readonly string[] OriginalHeaders =
    [
        ForwardedHeadersDefaults.XOriginalHostHeaderName, ForwardedHeadersDefaults.XOriginalProtoHeaderName,
        ForwardedHeadersDefaults.XOriginalPrefixHeaderName, ForwardedHeadersDefaults.XOriginalForHeaderName,
    ];

    private static readonly string[] ForwardedHeaderNames =
    [
        ForwardedHeadersDefaults.XForwardedHostHeaderName, ForwardedHeadersDefaults.XForwardedProtoHeaderName,
        ForwardedHeadersDefaults.XForwardedPrefixHeaderName, ForwardedHeadersDefaults.XForwardedForHeaderName,
    ];

    public static IServiceCollection AddTrustedForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ArchiveOptions>>((forwarded, archive) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost
                | ForwardedHeaders.XForwardedPrefix;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("127.0.0.0/8"));
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("::1/128"));
            foreach (var proxy in archive.Value.TrustedProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
                else
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
            }
        });
        return services;
    }

    /// <summary>
    /// Applies X-Forwarded-* from trusted proxies. The middleware keeps what it replaced in X-Original-* headers; a client
    /// could send those itself, so they are dropped first, and their presence afterwards means a trusted proxy spoke. A
    /// request whose sender is unknown (the middleware would believe it) has its X-Forwarded-* dropped too.
    /// </summary>
    public static WebApplication UseTrustedForwardedHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            foreach (var header in OriginalHeaders)
            {
                context.Request.Headers.Remove(header);
            }
            if (context.Connection.RemoteIpAddress is null)
            {
                foreach (var header in ForwardedHeaderNames)
                {
                    context.Request.Headers.Remove(header);
                }
            }
            return next(context);
        });
        app.UseForwardedHeaders();
        return app;
    }

    /// <summary>The DICOMweb service root clients reach, without a trailing slash, e.g. <c>http://127.0.0.1:8080/dicomweb</c>.</summary>
    public static string RootUrl(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.RequestServices.GetRequiredService<IOptions<ArchiveOptions>>().Value;
        if (options.PublicBaseUrl.Length > 0)
        {
            return options.PublicBaseUrl.TrimEnd('/') + ArchiveEndpoints.Path;
        }
        var request = context.Request;
        if (request.Headers.ContainsKey(ForwardedHeadersDefaults.XOriginalHostHeaderName))
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}{ArchiveEndpoints.Path}";
        }
        return ListeningAddress.Of(context.RequestServices) + ArchiveEndpoints.Path;
    }
}
