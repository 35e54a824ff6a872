namespace Cl2.Gateway.Identity;

/// <summary>
/// Removes every incoming <c>X-Cl2-*</c> header before anything is proxied: those headers name a caller to a service
/// that was told to trust them (the development identity), and nobody outside may set them through the gateway.
/// </summary>
public static class ForgedHeaders
{
    public const string Prefix = "X-Cl2-";

    public static WebApplication UseForgedHeaderRemoval(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Request.Headers;
            foreach (var name in headers.Keys.Where(name => name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                headers.Remove(name);
            }
            return next(context);
        });
        return app;
    }
}
