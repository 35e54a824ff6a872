using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Gateway.Tests;

/// <summary>The real gateway <c>Program</c> with its shipped routes, its clusters pointed at the given addresses.</summary>
public sealed class GatewayHost(Uri labeling, Uri inference) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ReverseProxy:Clusters:labeling:Destinations:labeling:Address", labeling.ToString());
        builder.UseSetting("ReverseProxy:Clusters:inference:Destinations:inference:Address", inference.ToString());
    }
}
