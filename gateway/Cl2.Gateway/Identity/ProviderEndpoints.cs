using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Cl2.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Cl2.Gateway.Identity;

/// <summary>
/// The endpoints OpenIddict hands to the application (passthrough): the token endpoint (client credentials, the
/// password grant for <c>./cl2 token</c>, authorization codes and refresh tokens), the authorization endpoint (code +
/// PKCE, after the sign-in page) and sign-out. Discovery and the JWKS OpenIddict answers itself.
/// </summary>
public static class ProviderEndpoints
{
    public const string TokenPath = "/connect/token";
    public const string AuthorizationPath = "/connect/authorize";
    public const string EndSessionPath = "/connect/logout";

    public static void MapProviderEndpoints(this WebApplication app)
    {
        app.MapPost(TokenPath, TokenAsync).ExcludeFromDescription();
        app.MapGet(AuthorizationPath, AuthorizeAsync).ExcludeFromDescription();
        app.MapMethods(EndSessionPath, [HttpMethods.Get, HttpMethods.Post], async (HttpContext http) =>
        {
            await http.SignOutAsync(SignInPage.Scheme);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }).ExcludeFromDescription();
    }

    private static async Task<IResult> TokenAsync(HttpContext http, ProviderAccounts accounts, IOptions<AuthorityOptions> authority)
    {
        var audience = authority.Value.Audience;
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The token endpoint was reached without an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType())
        {
            // OpenIddict has checked the client's secret against its store before this runs.
            return accounts.Clients.TryGetValue(request.ClientId ?? "", out var client)
                ? Issue(client.Client.Name, client.Client.Roles, request.GetScopes(), audience)
                : Refuse(Errors.InvalidClient, $"Client '{request.ClientId}' has no roles configured here (Identity:Provider:Clients).");
        }
        if (request.IsPasswordGrantType())
        {
            return accounts.SignIn(request.Username, request.Password) is { } user
                ? Issue(user.Name, user.Roles, request.GetScopes(), audience)
                : Refuse(Errors.InvalidGrant, "The user name or password is wrong.");
        }
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var granted = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            // The roles are read again: a role taken from a user takes effect at the next refresh.
            return accounts.User(granted.Principal?.GetClaim(Claims.Subject)) is { } user
                ? Issue(user.Name, user.Roles, granted.Principal!.GetScopes(), audience)
                : Refuse(Errors.InvalidGrant, "The user this grant was given to no longer exists.");
        }
        return Refuse(Errors.UnsupportedGrantType, $"Grant type '{request.GrantType}' is not supported here.");
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, ProviderAccounts accounts, IOptions<AuthorityOptions> authority)
    {
        var audience = authority.Value.Audience;
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The authorization endpoint was reached without an OpenID Connect request.");
        var session = await http.AuthenticateAsync(SignInPage.Scheme);
        if (accounts.User(session.Principal?.Identity?.Name) is not { } user)
        {
            // To the sign-in page, which sends the browser back here with the same request once the password is right.
            return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + http.Request.QueryString },
                [SignInPage.Scheme]);
        }
        return Issue(user.Name, user.Roles, request.GetScopes(), audience);
    }

    /// <summary>A token for <paramref name="subject"/> with its roles, for cl2's API (the audience), and an identity token where asked.</summary>
    public static IResult Issue(string subject, IEnumerable<string> roles, ImmutableArray<string> scopes, string audience)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject).SetClaim(Claims.Name, subject).SetClaims(Claims.Role, [.. roles]);
        identity.SetScopes(scopes).SetResources(audience);
        identity.SetDestinations(claim => claim.Type is Claims.Name or Claims.Role
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
