using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cl2.Gateway.Identity;

/// <summary>
/// <c>/signin</c>: the built-in provider's sign-in page, in the look of the gateway's front page. A right password gives
/// the browser the provider's session cookie (HttpOnly, SameSite=Lax, Secure over https) and sends it back to where it came
/// from on this site (the authorization request); a wrong one shows the page again with a message.
/// </summary>
public static class SignInPage
{
    public const string Scheme = "cl2-provider";
    public const string Path = "/signin";

    public static AuthenticationBuilder AddSignInSession(this AuthenticationBuilder authentication, TimeSpan lifetime) =>
        authentication.AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "cl2.provider";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = Path;
            cookie.ExpireTimeSpan = lifetime;
            cookie.SlidingExpiration = false;
        });

    public static void MapSignInPage(this WebApplication app)
    {
        app.MapGet(Path, (string? returnUrl) => Page(LocalOrRoot(returnUrl), message: null)).ExcludeFromDescription();
        app.MapPost(Path, async (HttpContext http, ProviderAccounts accounts) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = LocalOrRoot(form["returnUrl"]);
            if (accounts.SignIn(form["username"], form["password"]) is not { } user)
            {
                return Page(returnUrl, "The user name or password is wrong.", StatusCodes.Status401Unauthorized);
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name)], Scheme);
            await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl);
        }).DisableAntiforgery().ExcludeFromDescription();
    }

    /// <summary>Only a path on this site: never send a browser elsewhere after sign-in (open redirect).</summary>
    internal static string LocalOrRoot(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    private static IResult Page(string returnUrl, string? message, int status = StatusCodes.Status200OK)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign in · cl2</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font:15px/1.5 system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
            label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
            button{margin-top:1.2rem;padding:.4rem 1.2rem;font:inherit}.error{color:#a00}</style></head><body>
            <h1>cl2</h1>
            <p>Sign in to the cl2 platform.</p>
            {{(message is null ? "" : $"<p class=\"error\" role=\"alert\">{E(message)}</p>")}}
            <form method="post" action="{{Path}}">
            <input type="hidden" name="returnUrl" value="{{E(returnUrl)}}">
            <label for="username">User name</label><input id="username" name="username" autocomplete="username" required autofocus>
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form>
            <p><small>On a machine set up with <code>./cl2 up</code>, the passwords are in <code>.cl2/identity/secrets/users/</code>.</small></p>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
