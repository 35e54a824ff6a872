using Cl2.ServiceDefaults;
using Cl2.ServiceDefaults.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway.Identity;

/// <summary>The built-in OpenID Connect provider (OpenIddict), where <c>Identity:Provider:Enabled</c> is true.</summary>
public static class IdentityProviderServices
{
    public static WebApplicationBuilder AddIdentityProvider(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AuthorityOptions>(AuthorityOptions.Section);
        builder.Services.AddValidatedOptions<IdentityProviderOptions>(IdentityProviderOptions.Section);
        // Read here rather than from IOptions: whether there is a provider at all decides which services exist.
        var settings = builder.Configuration.GetSection(IdentityProviderOptions.Section).Get<IdentityProviderOptions>() ?? new IdentityProviderOptions();
        if (!settings.Enabled)
        {
            return builder;
        }
        var issuer = builder.Configuration[$"{AuthorityOptions.Section}:{nameof(AuthorityOptions.Authority)}"] ?? "";
        builder.Services.AddDbContext<IdentityStore>(store => store.UseNpgsql(settings.ConnectionString).UseOpenIddict());
        builder.Services.AddSingleton<ProviderAccounts>();
        builder.Services.AddSingleton<ProviderSeeding>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ProviderSeeding>());
        builder.Services.AddHealthChecks().AddCheck<ProviderSeeding>("identity-provider", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.AddAuthentication().AddSignInSession(settings.RefreshTokenLifetime);
        var keys = ProviderKeys.LoadOrCreate(settings.KeysPath, TimeProvider.System);
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityStore>())
            .AddServer(server =>
            {
                if (issuer.Length > 0)
                {
                    // The issuer the services are configured with, whichever address a client used to reach the gateway.
                    server.SetIssuer(new Uri(issuer));
                }
                server.SetTokenEndpointUris(ProviderEndpoints.TokenPath)
                    .SetAuthorizationEndpointUris(ProviderEndpoints.AuthorizationPath)
                    .SetEndSessionEndpointUris(ProviderEndpoints.EndSessionPath);
                server.AllowClientCredentialsFlow().AllowPasswordFlow().AllowAuthorizationCodeFlow().AllowRefreshTokenFlow()
                    .RequireProofKeyForCodeExchange();
                server.RegisterScopes(ProviderScopes.Api, OpenIddict.Abstractions.OpenIddictConstants.Scopes.OpenId,
                    OpenIddict.Abstractions.OpenIddictConstants.Scopes.Profile, OpenIddict.Abstractions.OpenIddictConstants.Scopes.Roles,
                    OpenIddict.Abstractions.OpenIddictConstants.Scopes.OfflineAccess);
                foreach (var key in keys.Signing)
                {
                    server.AddSigningKey(key);
                }
                server.AddEncryptionKey(keys.Encryption);
                // Access tokens are signed JWTs any service (or the hospital's tooling) can validate with the JWKS alone.
                server.DisableAccessTokenEncryption();
                server.SetAccessTokenLifetime(settings.AccessTokenLifetime).SetRefreshTokenLifetime(settings.RefreshTokenLifetime);
                var aspNetCore = server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (issuer.Length == 0 || new Uri(issuer).Scheme == "http")
                {
                    // A provider on this machine over plain http (Identity:Authority refuses http to another host).
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });
        return builder;
    }

    /// <summary>
    /// The provider's endpoints and sign-in page, and the browser session's; after the public address is set, so the issuer
    /// and the redirect addresses are the public ones.
    /// </summary>
    public static WebApplication UseSignIn(this WebApplication app)
    {
        var provider = app.Services.GetRequiredService<IOptions<IdentityProviderOptions>>().Value.Enabled;
        var sessions = app.Services.GetRequiredService<IOptions<BrowserSessionOptions>>().Value.Enabled;
        if (provider || sessions)
        {
            // Authentication here serves the browser (its session cookie, the sign-in callbacks) and the provider's own
            // endpoints. A request with a bearer token and no session cookie is an API client's, which needs neither: it skips
            // the middleware, whose request handlers (the provider's among them) would otherwise inspect every proxied call.
            var cookie = app.Services.GetRequiredService<IOptions<BrowserSessionOptions>>().Value.CookieName;
            app.UseWhen(http => !IsApiClientCall(http, cookie), branch => branch.UseAuthentication());
        }
        if (provider)
        {
            app.MapProviderEndpoints();
            app.MapSignInPage();
        }
        app.MapBrowserSession();
        return app;
    }

    private static bool IsApiClientCall(HttpContext http, string sessionCookie) =>
        http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && !http.Request.Cookies.ContainsKey(sessionCookie);
}
