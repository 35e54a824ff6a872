using Cl2.ServiceDefaults;

namespace Cl2.Gateway.Limits;

/// <summary>Rate limits per caller, body limits per route, security headers and CORS (closed unless origins are listed).</summary>
public static class GatewayLimits
{
    private const string CorsPolicy = "listed-origins";

    public static WebApplicationBuilder AddGatewayLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GatewayLimitsOptions>(GatewayLimitsOptions.Section);
        var limits = builder.Configuration.GetSection(GatewayLimitsOptions.Section).Get<GatewayLimitsOptions>() ?? new GatewayLimitsOptions();
        builder.Services.AddCallerRateLimiter(limits);
        builder.Services.AddHsts(hsts => hsts.MaxAge = limits.HstsMaxAge);
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy.WithOrigins([.. limits.CorsOrigins])
            .AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
        return builder;
    }

    /// <summary>Must come after authentication: the rate limiter partitions by <see cref="HttpContext.User"/>.</summary>
    public static WebApplication UseGatewayLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions>>().Value;
        app.UseSecurityHeaders(limits);
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        if (limits.CorsOrigins.Count > 0)
        {
            app.UseCors(CorsPolicy);
        }
        app.UseRateLimiter();
        app.UseRouteBodyLimits();
        return app;
    }
}
