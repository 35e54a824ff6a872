using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Gateway.Tests;

/// <summary>
/// The real gateway <c>Program</c> with its shipped routes, its clusters pointed at the given addresses, and any further
/// <paramref name="settings"/> (configuration keys such as <c>Gateway:InlineIoCompletions</c>).
/// </summary>
public sealed class GatewayHost(Uri labeling, Uri inference, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
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
