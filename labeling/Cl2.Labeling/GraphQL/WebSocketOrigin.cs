namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Which pages may open a GraphQL WebSocket (cross-site WebSocket hijacking): a browser sends the page's Origin with the
/// upgrade and lets any site open a socket to any server, with the visitor's cookies. Allowed are the server's own origin
/// (the request's host, or the host the gateway forwarded from, <c>X-Forwarded-Host</c>: a page cannot set that header on
/// a WebSocket), the configured <see cref="GraphQLOptions.AllowedOrigins"/>, and requests without an Origin (not a browser).
/// </summary>
public static class WebSocketOrigin
{
    public static bool IsAllowed(HttpRequest request, GraphQLOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri))
        {
            return false;
        }
        var host = originUri.IsDefaultPort ? originUri.Host : $"{originUri.Host}:{originUri.Port}";
        string[] ownHosts = [request.Host.Value ?? "", .. request.Headers["X-Forwarded-Host"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        return ownHosts.Any(own => string.Equals(own, host, StringComparison.OrdinalIgnoreCase))
            || options.AllowedOrigins.Any(allowed => Uri.TryCreate(allowed, UriKind.Absolute, out var allowedUri)
                && Uri.Compare(allowedUri, originUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
    }
}
