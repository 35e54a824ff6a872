using Cl2.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway;

/// <summary>
/// Every request is given the gateway's public scheme, host and path base (<see cref="GatewayOptions.PublicBaseUrl"/>, or
/// else the first address it listens on) before it is proxied, so the X-Forwarded-Proto/Host/Prefix YARP sends the
/// backends name the gateway as configured. A client's Host header (<c>Host: evil.example</c>) is never passed on as
/// the address to build links with.
/// </summary>
public static class PublicAddress
{
    public static WebApplication UsePublicAddress(this WebApplication app)
    {
        Uri? known = null;
        app.Use((context, next) =>
        {
            var address = known ??= Resolve(app.Services);
            context.Request.Scheme = address.Scheme;
            context.Request.Host = new HostString(address.Authority);
            context.Request.PathBase = PathString.FromUriComponent(address.AbsolutePath.TrimEnd('/')) + context.Request.PathBase;
            return next(context);
        });
        return app;
    }

    private static Uri Resolve(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<GatewayOptions>>().Value.PublicBaseUrl;
        if (configured.Length > 0)
        {
            return new Uri(configured);
        }
        return new Uri(ListeningAddress.Of(services));
    }
}
