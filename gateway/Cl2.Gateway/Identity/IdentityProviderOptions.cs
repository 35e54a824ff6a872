using System.ComponentModel.DataAnnotations;

namespace Cl2.Gateway.Identity;

/// <summary>
/// The gateway's built-in OpenID Connect provider (section <c>Identity:Provider</c>), for running cl2 on one machine:
/// seeded users (one per role) and service clients, their passwords and secrets read from files that <c>./cl2 up</c>
/// generates. Off unless enabled; in production <c>Identity:Authority</c> names the hospital's provider instead.
/// docs/security.md.
/// </summary>
public sealed class IdentityProviderOptions : IValidatableObject
{
    public const string Section = "Identity:Provider";

    public bool Enabled { get; set; }

    /// <summary>PostgreSQL for the provider's store (clients, authorizations, tokens), in <see cref="Schema"/>.</summary>
    public string ConnectionString { get; set; } = "";

    public string Schema { get; set; } = "identity";

    /// <summary>
    /// The signing keys (<c>signing-*.pem</c>, RSA; the newest by name signs, all are published in the JWKS so tokens signed
    /// by an older one stay valid) and the key that encrypts codes and refresh tokens (<c>encryption.key</c>). A key that is
    /// missing is made on start, so restarts keep tokens valid.
    /// </summary>
    public string KeysPath { get; set; } = "";

    /// <summary>The users' passwords (<c>users/NAME.password</c>) and the clients' secrets (<c>clients/ID.secret</c>).</summary>
    public string SecretsPath { get; set; } = "";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>People who sign in; each has the roles listed.</summary>
    public List<ProviderUser> Users { get; set; } = [];

    /// <summary>Services that get tokens by client credentials; each acts with the roles listed.</summary>
    public List<ProviderClient> Clients { get; set; } = [];

    /// <summary>Where a browser client may be sent back with an authorization code (code + PKCE), per public client id.</summary>
    public List<ProviderClient> BrowserClients { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }
        foreach (var (name, value) in new[] { (nameof(ConnectionString), ConnectionString), (nameof(KeysPath), KeysPath), (nameof(SecretsPath), SecretsPath) })
        {
            if (value.Trim().Length == 0)
            {
                yield return new($"Identity:Provider:{name} is required while Identity:Provider:Enabled is true (./cl2 up sets it).");
            }
        }
        if (AccessTokenLifetime < TimeSpan.FromMinutes(1) || AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            yield return new($"Identity:Provider:AccessTokenLifetime is {AccessTokenLifetime}; it must be 00:01:00 to 1.00:00:00.");
        }
        if (RefreshTokenLifetime < AccessTokenLifetime || RefreshTokenLifetime > TimeSpan.FromDays(30))
        {
            yield return new($"Identity:Provider:RefreshTokenLifetime is {RefreshTokenLifetime}; it must be at least the access token's and at most 30.00:00:00.");
        }
        foreach (var name in Users.Select(user => user.Name).Concat(Clients.Select(client => client.Name)).Concat(BrowserClients.Select(client => client.Name))
                     .Where(name => name.Length == 0 || name.Any(character => !(char.IsAsciiLetterOrDigit(character) || character is '-' or '_' or '.'))))
        {
            yield return new($"Identity:Provider: '{name}' is not a user or client name (letters, digits, '-', '_', '.').");
        }
    }
}

public sealed class ProviderUser
{
    public string Name { get; set; } = "";

    public List<string> Roles { get; set; } = [];
}

public sealed class ProviderClient
{
    public string Name { get; set; } = "";

    public List<string> Roles { get; set; } = [];

    /// <summary>Browser clients: the addresses an authorization code may be sent to.</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>Browser clients: the addresses the provider may send the browser back to after sign-out.</summary>
    public List<string> PostLogoutRedirectUris { get; set; } = [];
}
