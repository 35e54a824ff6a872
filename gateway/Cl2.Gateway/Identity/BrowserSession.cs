using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Cl2.ServiceDefaults;
using Cl2.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Cl2.Gateway.Identity;

/// <summary>
/// Backend-for-frontend sign-in: <c>/account/signin</c> sends the browser to the provider (code + PKCE), the gateway keeps
/// the tokens (<see cref="SessionStore"/>) and gives the browser an HttpOnly, SameSite=Lax cookie (Secure over https); every
/// request it proxies for that browser carries the session's access token, refreshed shortly before it expires.
/// <c>/account/signout</c> ends the session here and at the provider. No token ever reaches the browser.
/// </summary>
public static class BrowserSession
{
    public const string SignInPath = "/account/signin";
    public const string SignOutPath = "/account/signout";
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;

    public static WebApplicationBuilder AddBrowserSession(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<BrowserSessionOptions>(BrowserSessionOptions.Section);
        var settings = builder.Configuration.GetSection(BrowserSessionOptions.Section).Get<BrowserSessionOptions>() ?? new BrowserSessionOptions();
        if (!settings.Enabled)
        {
            return builder;
        }
        var authority = builder.Configuration[$"{AuthorityOptions.Section}:{nameof(AuthorityOptions.Authority)}"] ?? "";
        var https = authority.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(SessionStore.Scheme)
            .Configure<SessionStore>((cookie, store) => cookie.SessionStore = store);
        builder.Services.AddAuthentication(authentication =>
            {
                authentication.DefaultScheme = SessionStore.Scheme;
                authentication.DefaultChallengeScheme = OidcScheme;
            })
            .AddCookie(SessionStore.Scheme, cookie =>
            {
                cookie.Cookie.Name = settings.CookieName;
                cookie.Cookie.HttpOnly = true;
                // Lax: sent on the top-level redirect back from the provider, never on a cross-site POST or fetch.
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                // Secure wherever the gateway is reached over https; plain http is for this machine only (Identity:Authority).
                cookie.Cookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = settings.Lifetime;
                cookie.SlidingExpiration = false;
                // An API call without a session is the backend's to answer (401); the gateway never redirects one.
                cookie.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
            })
            .AddOpenIdConnect(OidcScheme, oidc =>
            {
                oidc.Authority = authority;
                oidc.RequireHttpsMetadata = https;
                oidc.ClientId = settings.ClientId;
                oidc.ClientSecret = settings.ClientSecret.Length > 0 ? settings.ClientSecret : null;
                oidc.ResponseType = "code";
                // The code comes back on a top-level GET redirect, which carries the SameSite=Lax correlation cookies (a
                // form_post from the provider's origin would not, on another site).
                oidc.ResponseMode = "query";
                oidc.UsePkce = true;
                oidc.SaveTokens = true;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "roles", "offline_access", AuthorityOptions.DefaultAudience })
                {
                    oidc.Scope.Add(scope);
                }
                oidc.TokenValidationParameters.NameClaimType = "name";
                oidc.TokenValidationParameters.RoleClaimType = "role";
                oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
                oidc.NonceCookie.SameSite = SameSiteMode.Lax;
                oidc.CorrelationCookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                oidc.NonceCookie.SecurePolicy = oidc.CorrelationCookie.SecurePolicy;
            });
        builder.Services.AddHttpClient(nameof(BrowserSession));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ITransformProvider, AccessTokenTransforms>();
        return builder;
    }

    public static WebApplication MapBrowserSession(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<BrowserSessionOptions>>().Value.Enabled)
        {
            return app;
        }
        app.MapGet(SignInPath, (string? returnUrl) =>
            Results.Challenge(new AuthenticationProperties { RedirectUri = SignInPage.LocalOrRoot(returnUrl) }, [OidcScheme])).ExcludeFromDescription();
        app.MapMethods(SignOutPath, [HttpMethods.Get, HttpMethods.Post], () =>
            Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [SessionStore.Scheme, OidcScheme])).ExcludeFromDescription();
        return app;
    }

    /// <summary>A request from a signed-in browser goes on with the session's access token (unless it brought its own).</summary>
    internal static async ValueTask AttachAccessTokenAsync(RequestTransformContext transform)
    {
        var http = transform.HttpContext;
        if (transform.ProxyRequest.Headers.Authorization is not null || !http.Request.Cookies.ContainsKey(
                http.RequestServices.GetRequiredService<IOptions<BrowserSessionOptions>>().Value.CookieName))
        {
            return;
        }
        var session = await http.AuthenticateAsync(SessionStore.Scheme);
        if (!session.Succeeded || await AccessTokenAsync(http, session) is not { } token)
        {
            return;
        }
        transform.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The session's access token, first refreshed (and the session updated) where it is about to expire.</summary>
    private static async Task<string?> AccessTokenAsync(HttpContext http, AuthenticateResult session)
    {
        var properties = session.Properties!;
        var token = properties.GetTokenValue("access_token");
        var settings = http.RequestServices.GetRequiredService<IOptions<BrowserSessionOptions>>().Value;
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        if (token is null || !DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)
            || expires - time.GetUtcNow() > settings.RefreshBefore)
        {
            return token;
        }
        if (properties.GetTokenValue("refresh_token") is not { } refreshToken)
        {
            return null;
        }
        var oidc = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OidcScheme);
        var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        using var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(BrowserSession));
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = oidc.ClientId! };
        if (oidc.ClientSecret is { } secret)
        {
            form["client_secret"] = secret;
        }
        using var response = await client.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(form), http.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            // The provider ended the grant (signed out there, user removed): the session is over.
            if (SessionStore.KeyOf(session) is { } ended)
            {
                await http.RequestServices.GetRequiredService<SessionStore>().RemoveAsync(ended);
            }
            return null;
        }
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(http.RequestAborted));
        var fresh = answer.RootElement.GetProperty("access_token").GetString()!;
        properties.UpdateTokenValue("access_token", fresh);
        if (answer.RootElement.TryGetProperty("refresh_token", out var rolled))
        {
            properties.UpdateTokenValue("refresh_token", rolled.GetString()!);
        }
        var lifetime = answer.RootElement.TryGetProperty("expires_in", out var expiresIn) ? expiresIn.GetInt32() : 300;
        properties.UpdateTokenValue("expires_at", time.GetUtcNow().AddSeconds(lifetime).ToString("o", CultureInfo.InvariantCulture));
        if (SessionStore.KeyOf(session) is { } key)
        {
            await http.RequestServices.GetRequiredService<SessionStore>().RenewAsync(key, new AuthenticationTicket(session.Principal!, properties, SessionStore.Scheme));
        }
        return fresh;
    }
}

/// <summary>Adds <see cref="BrowserSession"/>'s access token to every proxied route.</summary>
internal sealed class AccessTokenTransforms : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddRequestTransform(BrowserSession.AttachAccessTokenAsync);
}
