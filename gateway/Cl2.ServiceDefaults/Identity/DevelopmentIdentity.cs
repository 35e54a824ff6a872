using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cl2.ServiceDefaults.Identity;

/// <summary>
/// Who the caller is, until sign-in (OIDC at the gateway) arrives: taken from the headers <c>X-Cl2-User</c> and
/// <c>X-Cl2-Roles</c> (comma-separated), or <see cref="DefaultUser"/> when both are absent; <c>X-Cl2-Roles</c> without
/// <c>X-Cl2-User</c> leaves the caller unauthenticated. Anyone can send these
/// headers, so the source must be switched on explicitly, and the host refuses to start with it in Production.
/// </summary>
public sealed class DevelopmentIdentityOptions
{
    public const string Section = "DevelopmentIdentity";
    public const string UserHeader = "X-Cl2-User";
    public const string RolesHeader = "X-Cl2-Roles";
    public const string AuthenticationType = "cl2-development";

    public bool Enabled { get; set; }

    /// <summary>The caller when no <see cref="UserHeader"/> is sent; empty leaves such callers unauthenticated.</summary>
    public string DefaultUser { get; set; } = "";

    public List<string> DefaultRoles { get; set; } = [];
}

public static class DevelopmentIdentity
{
    public static void AddDevelopmentIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DevelopmentIdentityOptions>(DevelopmentIdentityOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<DevelopmentIdentityOptions>, RefusedInProduction>();
    }

    public static void UseDevelopmentIdentity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DevelopmentIdentityOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }
        app.Use((http, next) =>
        {
            if (http.User.Identity?.IsAuthenticated != true && Caller(http.Request, options) is { } caller)
            {
                http.User = caller;
            }
            return next(http);
        });
    }

    private static ClaimsPrincipal? Caller(HttpRequest request, DevelopmentIdentityOptions options)
    {
        var user = request.Headers[DevelopmentIdentityOptions.UserHeader].ToString().Trim();
        IEnumerable<string> roles = request.Headers[DevelopmentIdentityOptions.RolesHeader].ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (user.Length == 0)
        {
            // Roles without a user are a mistake (or a probe): never widen them to the default caller's roles.
            if (options.DefaultUser.Length == 0 || request.Headers.ContainsKey(DevelopmentIdentityOptions.RolesHeader))
            {
                return null;
            }
            user = options.DefaultUser;
            roles = options.DefaultRoles;
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user), .. roles.Select(role => new Claim(ClaimTypes.Role, role))],
            DevelopmentIdentityOptions.AuthenticationType);
        return new ClaimsPrincipal(identity);
    }

    private sealed class RefusedInProduction(IHostEnvironment environment) : IValidateOptions<DevelopmentIdentityOptions>
    {
        public ValidateOptionsResult Validate(string? name, DevelopmentIdentityOptions options) =>
            options.Enabled && environment.IsProduction()
                ? ValidateOptionsResult.Fail(
                    "DevelopmentIdentity:Enabled is true in the Production environment: anyone could claim any role with a header. " +
                    "Turn it off, or run with ASPNETCORE_ENVIRONMENT=Development.")
                : ValidateOptionsResult.Success;
    }
}
