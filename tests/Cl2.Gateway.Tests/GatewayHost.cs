using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Gateway.Tests;

/// <summary>
/// The real gateway <c>Program</c> with its shipped routes, its clusters pointed at the given addresses, and any further
/// <paramref name="settings"/> (configuration keys such as <c>Gateway:InlineIoCompletions</c>).
/// </summary>
public sealed class GatewayHost(Uri labeling, Uri inference, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>The host's environment (Development unless a test asks for another).</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>When set, a request carrying this header is signed in as the user it names (a stand-in for whatever
    /// authenticates callers: the gateway reads only <see cref="Microsoft.AspNetCore.Http.HttpContext.User"/>).</summary>
    public string? CallerHeader { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        if (CallerHeader is { } header)
        {
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new HeaderSignIn(header)));
        }
        builder.UseSetting("ReverseProxy:Clusters:labeling:Destinations:labeling:Address", labeling.ToString());
        builder.UseSetting("ReverseProxy:Clusters:inference:Destinations:inference:Address", inference.ToString());
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Serves on Kestrel at a free port (TestServer has no sockets and no upgrades) and returns its address.</summary>
    public Uri StartOnKestrel() => StartOnKestrel(FreePort.Next());

    /// <summary>Serves on Kestrel at <paramref name="port"/> (one the test chose, to name it in settings beforehand).</summary>
    public Uri StartOnKestrel(int port)
    {
        UseKestrel(port);
        StartServer();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}

/// <summary>Signs a request in as the user its header names, ahead of the gateway's own pipeline.</summary>
internal sealed class HeaderSignIn(string header) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, proceed) =>
        {
            if (http.Request.Headers[header].ToString() is { Length: > 0 } name)
            {
                http.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                    [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, name)], "test"));
            }
            return proceed(http);
        });
        next(app);
    };
}
