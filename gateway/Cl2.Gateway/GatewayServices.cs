using Cl2.Gateway.Identity;
using Cl2.Gateway.Limits;
using Cl2.ServiceDefaults;

namespace Cl2.Gateway;

public static class GatewayServices
{
    /// <summary>The runtime's switch for running socket completions on its event threads; read once, at the first socket.</summary>
    public const string InlineSocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GatewayOptions>(GatewayOptions.Section);
        builder.Services.AddValidatedOptions<WebAppOptions>(WebAppOptions.Section);
        // Read here rather than from IOptions: it must take effect before Kestrel and YARP open their first socket.
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        if (options.InlineIoCompletions)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletionsVariable, "1");
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }
        builder.AddGatewayLimits();
        builder.AddIdentityProvider();
        builder.AddBrowserSession();
        builder.AddBearerCallers();
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        builder.Services.AddHttpClient(nameof(BackendsReadinessCheck));
        builder.Services.AddHttpClient(nameof(FrontPage));
        builder.Services.AddHealthChecks()
            .AddCheck<BackendsReadinessCheck>("backends", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.UseWebSockets();
        app.UsePublicAddress();
        app.UseForgedHeaderRemoval();
        app.UseSignIn();
        app.UseBearerCallers();
        app.UseGatewayLimits();
        app.MapWebApp();
        app.MapFrontPage();
        app.MapReverseProxy();
        return app;
    }
}
