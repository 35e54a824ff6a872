using System.ComponentModel.DataAnnotations;

namespace Cl2.Gateway.Identity;

/// <summary>
/// Browser sign-in at the gateway (section <c>Identity:BrowserSession</c>): the gateway is the OpenID Connect client
/// (authorization code + PKCE) of the provider named by <c>Identity:Authority</c>, keeps the tokens in its own memory,
/// and gives the browser only an HttpOnly cookie naming the session. docs/security.md.
/// </summary>
public sealed class BrowserSessionOptions : IValidatableObject
{
    public const string Section = "Identity:BrowserSession";

    public bool Enabled { get; set; }

    /// <summary>The gateway's client at the provider; its redirect URI is <c>{gateway}/signin-oidc</c>.</summary>
    public string ClientId { get; set; } = "cl2-gateway";

    /// <summary>Empty for a public client (PKCE alone); a confidential client's secret otherwise.</summary>
    public string ClientSecret { get; set; } = "";

    public string CookieName { get; set; } = "cl2.session";

    /// <summary>How long a session lasts without a new sign-in (the access token inside it is refreshed as needed).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The access token is refreshed when less than this is left of it.</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && ClientId.Trim().Length == 0)
        {
            yield return new("Identity:BrowserSession:ClientId is required while Identity:BrowserSession:Enabled is true.");
        }
        if (Lifetime < TimeSpan.FromMinutes(5) || Lifetime > TimeSpan.FromDays(30))
        {
            yield return new($"Identity:BrowserSession:Lifetime is {Lifetime}; it must be 00:05:00 to 30.00:00:00.");
        }
        if (RefreshBefore < TimeSpan.Zero || RefreshBefore > TimeSpan.FromMinutes(30))
        {
            yield return new($"Identity:BrowserSession:RefreshBefore is {RefreshBefore}; it must be 00:00:00 to 00:30:00.");
        }
    }
}
