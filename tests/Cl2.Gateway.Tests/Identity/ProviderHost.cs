using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.Gateway.Tests.Identity;

/// <summary>
/// The real gateway with its built-in OpenID Connect provider on, on Kestrel at a known port, its store on a throw-away
/// PostgreSQL cluster, and generated passwords and secrets in a temporary folder laid out as <c>./cl2 up</c> lays it.
/// Two hosts on one <see cref="Folder"/> and database are the same provider restarted.
/// </summary>
public sealed class ProviderHost : IAsyncDisposable
{
    public const string BrowserClient = "test-browser";
    public const string BrowserRedirect = "http://127.0.0.1/signed-in";

    private readonly GatewayHost _gateway;

    private ProviderHost(GatewayHost gateway, Uri address, string folder)
    {
        this._gateway = gateway;
        Address = address;
        Folder = folder;
    }

    public Uri Address { get; }

    public string Folder { get; }

    public string KeysPath => Path.Combine(Folder, "keys");

    /// <param name="labeling">Where the gateway sends /graphql and the archive (a recording backend, say); nowhere by default.</param>
    /// <param name="browserSession">Sign-in at the gateway on too, the gateway a browser client of its own provider.</param>
    /// <param name="more">Further gateway settings (tight rate limits, say).</param>
    public static async Task<ProviderHost> StartAsync(PostgresCluster postgres, string? folder = null, Uri? labeling = null, bool browserSession = false,
        IReadOnlyDictionary<string, string>? more = null)
    {
        folder ??= Directory.CreateTempSubdirectory("cl2-identity-").FullName;
        foreach (var (kind, name, extension) in new[]
                 {
                     ("users", "annotator", "password"), ("users", "radiologist", "password"), ("users", "ml-engineer", "password"),
                     ("users", "admin", "password"), ("clients", "training-worker", "secret"), ("clients", "inference", "secret"),
                 })
        {
            var path = Path.Combine(folder, "secrets", kind, $"{name}.{extension}");
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
            }
        }
        var port = FreePort.Next();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var unused = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var settings = new Dictionary<string, string>
        {
            ["Identity:Authority"] = address.ToString(),
            ["Identity:Provider:Enabled"] = "true",
            ["Identity:Provider:ConnectionString"] = postgres.ConnectionString,
            ["Identity:Provider:KeysPath"] = Path.Combine(folder, "keys"),
            ["Identity:Provider:SecretsPath"] = Path.Combine(folder, "secrets"),
            ["Identity:Provider:BrowserClients:0:Name"] = BrowserClient,
            ["Identity:Provider:BrowserClients:0:RedirectUris:0"] = BrowserRedirect,
        };
        if (browserSession)
        {
            settings["Identity:BrowserSession:Enabled"] = "true";
            settings["Identity:BrowserSession:ClientId"] = "cl2-gateway";
            settings["Identity:Provider:BrowserClients:1:Name"] = "cl2-gateway";
            settings["Identity:Provider:BrowserClients:1:RedirectUris:0"] = $"{address}signin-oidc";
            settings["Identity:Provider:BrowserClients:1:PostLogoutRedirectUris:0"] = $"{address}signout-callback-oidc";
        }
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var gateway = new GatewayHost(labeling ?? unused, unused, settings);
        gateway.StartOnKestrel(port);
        return new ProviderHost(gateway, address, folder);
    }

    public string Secret(string kind, string name) =>
        File.ReadAllText(Path.Combine(Folder, "secrets", kind, $"{name}.{(kind == "users" ? "password" : "secret")}"));

    /// <summary>The token endpoint's answer to a form, as JSON (an access token, or error and error_description).</summary>
    public async Task<(int Status, JsonElement Answer)> TokenAsync(IReadOnlyDictionary<string, string> form)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Address, "connect/token"), new FormUrlEncodedContent(form));
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task<string> UserTokenAsync(string user) =>
        (await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "cl2-cli", ["username"] = user, ["password"] = Secret("users", user), ["scope"] = "cl2",
        })).Answer.GetProperty("access_token").GetString()!;

    public async Task<string> ClientTokenAsync(string client) =>
        (await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client, ["client_secret"] = Secret("clients", client), ["scope"] = "cl2",
        })).Answer.GetProperty("access_token").GetString()!;

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();
}
