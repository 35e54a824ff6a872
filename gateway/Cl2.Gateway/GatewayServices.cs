using Cl2.ServiceDefaults;

namespace Cl2.Gateway;

public static class GatewayServices
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        builder.Services.AddHttpClient(nameof(BackendsReadinessCheck));
        builder.Services.AddHealthChecks()
            .AddCheck<BackendsReadinessCheck>("backends", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapReverseProxy();
        return app;
    }
}
