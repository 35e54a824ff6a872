using Cl2.Gateway.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway;

/// <summary>
/// The single-page web app (<c>web/</c>, built into <see cref="WebAppOptions.Root"/>): its files under <c>/assets</c>, and
/// <c>index.html</c> for <c>/</c> and each of its pages, so a link such as <c>/review?study=…</c> from a PACS opens the
/// app there. Any other path stays the gateway's (the proxied routes, <c>/account/*</c>, health) or is a 404.
/// <c>/account/me</c> tells the app who the browser's session belongs to. In Development <c>/graphiql</c> is GraphiQL, built
/// from <c>web/graphiql.html</c> with the app.
/// </summary>
public static class WebApp
{
    /// <summary>The app's pages: the browser's address for each, answered with <c>index.html</c>.</summary>
    public static readonly string[] Pages = ["/", "/annotate", "/review", "/review-labels", "/datasets", "/models", "/viewer", "/operations"];

    public const string MePath = "/account/me";

    /// <summary>GraphiQL (<c>web/graphiql.html</c>, the web app's second page): served in Development only.</summary>
    public const string GraphiQLPath = "/graphiql";

    /// <summary>Whether <see cref="GraphiQLPath"/> is served: in Development, where the built web app holds <c>graphiql.html</c>.</summary>
    public static bool ServesGraphiQL(this WebApplication app) =>
        app.Environment.IsDevelopment() && app.ServesWebApp() && File.Exists(Path.Combine(
            app.Services.GetRequiredService<IOptions<WebAppOptions>>().Value.Root, "graphiql.html"));

    public static bool ServesWebApp(this WebApplication app) =>
        app.Services.GetRequiredService<IOptions<WebAppOptions>>().Value.Root.Length > 0;

    public static WebApplication MapWebApp(this WebApplication app)
    {
        var root = app.Services.GetRequiredService<IOptions<WebAppOptions>>().Value.Root;
        if (root.Length == 0)
        {
            return app;
        }
        var files = new PhysicalFileProvider(Path.GetFullPath(root));
        // GraphiQL's page is a development tool: not reachable by its file name either.
        app.Use((http, next) => http.Request.Path.Equals("/graphiql.html", StringComparison.OrdinalIgnoreCase)
            ? Results.NotFound().ExecuteAsync(http) : next(http));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Vite names every asset by its content hash: a changed file is a new name, so browsers may keep them.
            OnPrepareResponse = context =>
            {
                if (context.Context.Request.Path.StartsWithSegments("/assets"))
                {
                    context.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
                }
            },
        });
        foreach (var page in Pages)
        {
            MapHtml(app, files, page, "index.html");
        }
        if (app.ServesGraphiQL())
        {
            MapHtml(app, files, GraphiQLPath, "graphiql.html");
        }
        app.MapGet(MePath, async (HttpContext http) =>
        {
            var sessions = http.RequestServices.GetRequiredService<IOptions<BrowserSessionOptions>>().Value.Enabled;
            var session = sessions ? await http.AuthenticateAsync(SessionStore.Scheme) : AuthenticateResult.NoResult();
            if (!session.Succeeded || session.Principal is not { } user)
            {
                return Results.Json(new { signedIn = false, signIn = BrowserSession.SignInPath }, statusCode: StatusCodes.Status401Unauthorized);
            }
            return Results.Json(new
            {
                signedIn = true,
                name = user.FindFirst("name")?.Value ?? user.FindFirst("sub")?.Value ?? user.Identity?.Name ?? "",
                roles = user.FindAll("role").Select(claim => claim.Value).Distinct().ToArray(),
                signOut = BrowserSession.SignOutPath,
            });
        }).ExcludeFromDescription();
        return app;
    }

    private static void MapHtml(WebApplication app, PhysicalFileProvider files, string path, string file) =>
        app.MapGet(path, (HttpContext http) =>
        {
            // The page names the current assets: never served from a stale cache.
            http.Response.Headers.CacheControl = "no-cache";
            return Results.File(files.GetFileInfo(file).PhysicalPath!, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
}
