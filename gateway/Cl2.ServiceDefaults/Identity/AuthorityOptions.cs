using System.ComponentModel.DataAnnotations;

namespace Cl2.ServiceDefaults.Identity;

/// <summary>
/// Who signs the access tokens a service accepts (section <c>Identity</c>): the OpenID Connect provider's issuer URL, whose
/// discovery document and JWKS the service reads, and the audience the tokens must name. In development that is the
/// gateway's built-in provider; in production the hospital's (Keycloak, Entra ID, …). docs/security.md.
/// </summary>
public sealed class AuthorityOptions : IValidatableObject
{
    public const string Section = "Identity";

    /// <summary>The audience (<c>aud</c>) cl2's access tokens carry, and the scope a client asks for to get one.</summary>
    public const string DefaultAudience = "cl2";

    /// <summary>The provider's issuer, e.g. <c>https://login.example.org/realms/radiology</c>; empty accepts no token.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The <c>aud</c> value a token must carry.</summary>
    public string Audience { get; set; } = DefaultAudience;

    /// <summary>The claim that carries roles; Keycloak and Entra ID can both be set to put them in <c>roles</c>, say.</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The claim that names the caller (who labeled, who promoted).</summary>
    public string NameClaim { get; set; } = "name";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Authority.Length > 0 && !(Uri.TryCreate(Authority, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return new($"Identity:Authority '{Authority}' must be the provider's absolute issuer URL, such as http://127.0.0.1:8080/ (or empty).");
        }
        if (Authority.Length > 0 && new Uri(Authority) is { Scheme: "http" } plain && !plain.IsLoopback)
        {
            yield return new($"Identity:Authority '{Authority}' is plain http on another machine: tokens and keys would travel in the clear. Use https.");
        }
        if (Audience.Trim().Length == 0 || RoleClaim.Trim().Length == 0 || NameClaim.Trim().Length == 0)
        {
            yield return new("Identity:Audience, Identity:RoleClaim and Identity:NameClaim must not be empty.");
        }
    }
}
