using System.Net;
using System.Text;
using System.Text.Json;
using Yarp.ReverseProxy.Configuration;

namespace Cl2.Gateway;

/// <summary>
/// <c>GET /status</c>: a small page that says what is running (each backend's own <c>/health/ready</c>, asked now) and
/// links to what works through this gateway. It is <c>/</c> too where no web app is served (<see cref="WebApp"/>).
/// </summary>
public static class FrontPage
{
    private static readonly (string Path, string What)[] Links =
    [
        ("/account/signin", "Sign in: the browser keeps a session cookie and every link below works as that user (sign out: /account/signout)"),
        (WebApp.GraphiQLPath, "GraphiQL: write and run GraphQL queries in the browser, with the schema's documentation and completion (development)"),
        ("/graphql", "GraphQL endpoint: POST application/json, or a graphql-transport-ws WebSocket for subscriptions"),
        ("/dicomweb/studies", "DICOMweb archive: QIDO-RS search (this link), WADO-RS retrieve and STOW-RS store under /dicomweb"),
        ("/api/inference/status", "Inference API: the DICOM listener's and forwarding's state"),
        ("/health/ready", "Readiness of the gateway and the backends it routes to (JSON)"),
    ];

    private static readonly string[] Docs =
        ["README.md", "docs/architecture.md", "docs/configuration.md", "docs/operations.md", "docs/archive.md", "docs/security.md"];

    public const string StatusPath = "/status";

    public static WebApplication MapFrontPage(this WebApplication app)
    {
        var paths = app.ServesWebApp() ? new[] { StatusPath } : ["/", StatusPath];
        foreach (var path in paths)
        {
            MapAt(app, path);
        }
        return app;
    }

    private static void MapAt(WebApplication app, string path)
    {
        // Only links to what works here: GraphiQL is served in Development with the built web app.
        var links = app.ServesGraphiQL() ? Links : [.. Links.Where(link => link.Path != WebApp.GraphiQLPath)];
        app.MapGet(path, async (IProxyConfigProvider proxyConfig, IHttpClientFactory httpClients, CancellationToken cancellationToken) =>
        {
            using var client = httpClients.CreateClient(nameof(FrontPage));
            client.Timeout = TimeSpan.FromSeconds(3);
            var backends = proxyConfig.GetConfig().Clusters
                .SelectMany(cluster => (cluster.Destinations ?? new Dictionary<string, DestinationConfig>()).Values
                    .Select(destination => (cluster.ClusterId, destination.Address)));
            var states = await Task.WhenAll(backends.Select(async backend =>
                (backend.ClusterId, State: await ReadinessAsync(client, new Uri(new Uri(backend.Address), "/health/ready"), cancellationToken))));
            return Results.Content(Render(states, links), "text/html; charset=utf-8");
        }).ExcludeFromDescription();
    }

    /// <summary>"Healthy", or what the backend's report names as failing, or that it does not answer.</summary>
    private static async Task<string> ReadinessAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                var report = JsonDocument.Parse(body).RootElement;
                var failing = report.GetProperty("checks").EnumerateArray()
                    .Where(check => check.GetProperty("status").GetString() != "Healthy")
                    .Select(check => $"{check.GetProperty("name").GetString()}: {check.GetProperty("description").GetString()}");
                return string.Join("; ", new[] { report.GetProperty("status").GetString() ?? "?" }.Concat(failing));
            }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return $"answered {(int)response.StatusCode} without a health report";
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return $"not answering at {url} ({exception.Message}); start it with ./cl2 up, or see ./cl2 logs";
        }
    }

    private static string Render(IEnumerable<(string Backend, string State)> states, IEnumerable<(string Path, string What)> links)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>cl2</title>
            <style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}td{padding:.2rem .8rem .2rem 0;vertical-align:top}
            .Healthy{color:#060}.other{color:#a00}code{background:#f3f3f3;padding:0 .2rem}</style></head><body>
            <h1>cl2</h1>
            <p>The gateway of the cl2 platform: what runs, and what works through it. The web app is at <a href="/">/</a> where the gateway serves it.</p>
            <h2>Running</h2><table>
            """);
        foreach (var (backend, state) in states)
        {
            var healthy = state == "Healthy";
            html.Append(CultureInvariant($"<tr><td>{E(backend)}</td><td class=\"{(healthy ? "Healthy" : "other")}\">{E(state)}</td></tr>\n"));
        }
        html.Append("</table>\n<h2>Links</h2><table>\n");
        foreach (var (path, what) in links)
        {
            html.Append(CultureInvariant($"<tr><td><a href=\"{E(path)}\">{E(path)}</a></td><td>{E(what)}</td></tr>\n"));
        }
        html.Append("</table>\n<h2>Documentation</h2><p>In the repository: ");
        html.AppendJoin(", ", Docs.Select(doc => $"<code>{E(doc)}</code>"));
        html.Append(".</p>\n</body></html>\n");
        return html.ToString();
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
