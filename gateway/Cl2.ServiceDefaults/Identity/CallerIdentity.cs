using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cl2.ServiceDefaults.Identity;

/// <summary>
/// Who calls a service: a JWT bearer access token from the provider named by <see cref="AuthorityOptions"/> (issuer,
/// audience, lifetime and signature checked against the provider's JWKS; unsigned tokens refused), or, only where a test
/// or a developer switched it on, the <see cref="DevelopmentIdentity"/> headers. Roles come from the token's role claim
/// and are checked by <see cref="Roles.Allow"/>.
/// </summary>
public static class CallerIdentity
{
    public static void AddCallerIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AuthorityOptions>(AuthorityOptions.Section);
        builder.AddDevelopmentIdentity();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddBearerTokenValidation();
    }

    /// <summary>
    /// The JWT bearer scheme exactly as every service checks it (provider, audience, lifetime, signature, claims), for a
    /// host that has other schemes too: the gateway, which reads bearer callers only to tell them apart (rate limits).
    /// </summary>
    public static AuthenticationBuilder AddBearerTokenValidation(this AuthenticationBuilder authentication)
    {
        // AuthorityOptions are registered (and validated) by the host: AddCallerIdentity, or the gateway's provider set-up.
        authentication.AddJwtBearer();
        authentication.Services.TryAddSingleton(new ValidatedBearerTokens(TimeProvider.System));
        authentication.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthorityOptions>, ValidatedBearerTokens>((jwt, authority, validated) =>
            {
                ConfigureBearer(jwt, authority.Value);
                RememberValidatedTokens(jwt, validated);
            });
        return authentication;
    }

    /// <summary>
    /// A token this host has fully checked before (and that has not expired) names its caller again without a second check
    /// (<see cref="ValidatedBearerTokens"/>); any other token is checked in full, and remembered only when it validates.
    /// </summary>
    private static void RememberValidatedTokens(JwtBearerOptions jwt, ValidatedBearerTokens validated)
    {
        jwt.Events ??= new JwtBearerEvents();
        jwt.Events.OnMessageReceived = context =>
        {
            if (BearerToken(context.Request) is { } token && validated.TryGet(token, out var caller))
            {
                context.Principal = caller;
                context.Success();
            }
            return Task.CompletedTask;
        };
        jwt.Events.OnTokenValidated = context =>
        {
            if (context.SecurityToken is JsonWebToken { EncodedToken: { } token } && context.Principal is { } caller)
            {
                validated.Add(token, caller);
            }
            return Task.CompletedTask;
        };
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, as the JWT bearer handler reads it; null without one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization["Bearer ".Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }

    /// <summary>Reads the caller from the request: the bearer token first, then (where enabled) the development headers.</summary>
    public static void UseCallerIdentity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseDevelopmentIdentity();
    }

    /// <summary>
    /// The caller a bearer token names, checked exactly as a request's <c>Authorization</c> header is (the same keys, issuer,
    /// audience and lifetime); null when it is not valid. For tokens that come another way than the header: a GraphQL
    /// WebSocket's <c>connection_init</c> payload (browsers cannot set headers on a WebSocket).
    /// </summary>
    public static async Task<ClaimsPrincipal?> ValidateBearerTokenAsync(this HttpContext http, string token, CancellationToken cancellationToken)
    {
        var jwt = http.RequestServices.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = jwt.TokenValidationParameters.Clone();
        if (jwt.ConfigurationManager is { } provider)
        {
            var configuration = await provider.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], configuration.Issuer];
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }
        var handler = jwt.TokenHandlers.OfType<TokenHandler>().FirstOrDefault() ?? new JsonWebTokenHandler();
        var result = await handler.ValidateTokenAsync(token, parameters);
        return result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : null;
    }

    private static void ConfigureBearer(JwtBearerOptions jwt, AuthorityOptions authority)
    {
        // The claims as the provider wrote them ("role", "name", "sub"), not renamed to the long WS-* URIs.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = authority.NameClaim;
        jwt.TokenValidationParameters.RoleClaimType = authority.RoleClaim;
        jwt.TokenValidationParameters.ValidAudience = authority.Audience;
        jwt.TokenValidationParameters.RequireSignedTokens = true;
        jwt.TokenValidationParameters.RequireExpirationTime = true;
        // A little clock skew between hosts, not the default five minutes of life after expiry.
        jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        if (authority.Authority.Length == 0)
        {
            // No provider: every token fails (no key can check it) and callers stay anonymous (401).
            jwt.TokenValidationParameters.ValidateIssuer = true;
            jwt.TokenValidationParameters.ValidIssuer = "no Identity:Authority is configured";
            return;
        }
        jwt.Authority = authority.Authority;
        // Plain http only to a provider on this machine (AuthorityOptions refuses it elsewhere).
        jwt.RequireHttpsMetadata = new Uri(authority.Authority).Scheme == "https";
        // A token signed by a key the service has not seen yet (the provider rotated) makes it read the JWKS again, at most
        // this often; until the provider answers (it may start after this service) it is asked again on the next request.
        jwt.RefreshInterval = TimeSpan.FromSeconds(10);
        jwt.AutomaticRefreshInterval = TimeSpan.FromHours(1);
    }
}
