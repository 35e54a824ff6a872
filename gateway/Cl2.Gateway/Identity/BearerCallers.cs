using Cl2.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway.Identity;

/// <summary>
/// A caller with an <c>Authorization: Bearer</c> token is signed in at the gateway too, checked exactly as the services
/// check it (<see cref="CallerIdentity.AddBearerTokenValidation"/>), so the rate limiter tells bearer callers apart by who
/// they are rather than by address. The header goes on to the backend unchanged (which checks it again and decides what
/// the caller may do); a token that does not validate leaves the caller anonymous, limited by address, so made-up tokens
/// cannot each open a bucket of their own. A token is validated once and remembered until it expires
/// (<see cref="ValidatedBearerTokens"/>, part of the shared bearer scheme).
/// </summary>
public static class BearerCallers
{
    public static WebApplicationBuilder AddBearerCallers(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddBearerTokenValidation();
        return builder;
    }

    /// <summary>After the browser session (a request with both is the browser's) and before the limits.</summary>
    public static WebApplication UseBearerCallers(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthorityOptions>>().Value.Authority.Length == 0)
        {
            return app; // no provider: no token can be valid
        }
        // The remembered tokens are looked up here first: a caller known already costs no pass through the authentication
        // service at all.
        var validated = app.Services.GetRequiredService<ValidatedBearerTokens>();
        app.Use(async (http, next) =>
        {
            if (http.User.Identity?.IsAuthenticated != true && CallerIdentity.BearerToken(http.Request) is { } token)
            {
                if (validated.TryGet(token, out var known))
                {
                    http.User = known;
                }
                else if (await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme) is { Succeeded: true, Principal: { } caller })
                {
                    http.User = caller;
                }
            }
            await next(http);
        });
        return app;
    }
}
