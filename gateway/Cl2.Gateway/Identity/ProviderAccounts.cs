using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway.Identity;

/// <summary>
/// The provider's users and service clients as configured (<see cref="IdentityProviderOptions.Users"/>,
/// <see cref="IdentityProviderOptions.Clients"/>), with the passwords and secrets read from
/// <see cref="IdentityProviderOptions.SecretsPath"/> when the gateway starts.
/// </summary>
public sealed class ProviderAccounts
{
    /// <summary>The public client <c>./cl2 token</c> uses to ask for a user's token with the user's password.</summary>
    public const string CommandLineClient = "cl2-cli";

    private readonly Dictionary<string, (ProviderUser User, byte[] Password)> _users;

    public ProviderAccounts(IOptions<IdentityProviderOptions> options)
    {
        var settings = options.Value;
        _users = settings.Users.ToDictionary(user => user.Name, user => (user, Encoding.UTF8.GetBytes(ReadSecret(settings, "users", user.Name, "password"))), StringComparer.Ordinal);
        Clients = settings.Clients.ToDictionary(client => client.Name, client => (client, ReadSecret(settings, "clients", client.Name, "secret")), StringComparer.Ordinal);
        BrowserClients = settings.BrowserClients.ToDictionary(client => client.Name, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, (ProviderClient Client, string Secret)> Clients { get; }

    public IReadOnlyDictionary<string, ProviderClient> BrowserClients { get; }

    public int UserCount => _users.Count;

    public ProviderUser? User(string? name) => name is not null && _users.TryGetValue(name, out var user) ? user.User : null;

    /// <summary>The user, if <paramref name="password"/> is theirs (compared in constant time).</summary>
    public ProviderUser? SignIn(string? name, string? password) =>
        name is not null && password is not null && _users.TryGetValue(name, out var user)
            && CryptographicOperations.FixedTimeEquals(user.Password, Encoding.UTF8.GetBytes(password))
            ? user.User
            : null;

    private static string ReadSecret(IdentityProviderOptions settings, string folder, string name, string extension)
    {
        var path = Path.Combine(settings.SecretsPath, folder, $"{name}.{extension}");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Identity:Provider: no {extension} for '{name}' at {path}. ./cl2 up writes one for each seeded user and client; elsewhere put it there yourself.");
        }
        var secret = File.ReadAllText(path).Trim();
        return secret.Length >= 12
            ? secret
            : throw new InvalidOperationException($"Identity:Provider: the {extension} in {path} is shorter than 12 characters; make a longer one.");
    }
}
