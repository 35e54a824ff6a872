using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.EndToEnd.Identity;

/// <summary>
/// Labeling, inference and the gateway as <c>./cl2 up</c> starts them, sign-in on (the gateway's built-in provider, every
/// service accepting its tokens, no header identity), plus a seeded user <see cref="Visitor"/> whose only role is one no
/// operation accepts. Shared by the tests of <see cref="Collection"/>; every test signs in for itself.
/// </summary>
public sealed class SignedInPlatform : IAsyncLifetime
{
    public const string Collection = "signed-in platform";

    /// <summary>A user with the role <c>guest</c>, which no operation lists: the "wrong role" for what anyone signed in may do.</summary>
    public const string Visitor = "visitor";

    private readonly List<IAsyncDisposable> _parts = [];
    private readonly string _state = Directory.CreateTempSubdirectory("cl2-e2e-signin-").FullName;

    public PlatformLauncher Launcher { get; private set; } = null!;

    public IReadOnlyList<BackgroundProcess> Services { get; private set; } = [];

    public Uri Gateway => new(Launcher.GatewayUrl);

    /// <summary>The provider's signing keys, as the gateway made them on its first start.</summary>
    public string KeysPath => Path.Combine(Launcher.State, "identity", "keys");

    public async Task InitializeAsync()
    {
        var postgres = await PostgresCluster.CreateAsync();
        _parts.Add(postgres);
        Launcher = new PlatformLauncher(_state, postgres.ConnectionString);
        var visitorPassword = Path.Combine(_state, "identity", "secrets", "users", $"{Visitor}.password");
        Directory.CreateDirectory(Path.GetDirectoryName(visitorPassword)!);
        await File.WriteAllTextAsync(visitorPassword, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        var labeling = await Launcher.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        _parts.Add(labeling);
        var inference = await Launcher.StartAsync(PlatformLauncher.Inference);
        _parts.Add(inference);
        var gateway = await Launcher.StartAsync(PlatformLauncher.Gateway, new Dictionary<string, string>
        {
            // After the four seeded users of appsettings.json.
            ["Identity__Provider__Users__4__Name"] = Visitor,
            ["Identity__Provider__Users__4__Roles__0"] = "guest",
        });
        _parts.Add(gateway);
        Services = [labeling, inference, gateway];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.IsTrueAsync(async () => await StatusAsync(http, Launcher.GatewayUrl + "health/ready") == HttpStatusCode.OK, Services,
            "the gateway, its provider and its backends ready", timeoutSeconds: 180);
    }

    public async Task DisposeAsync()
    {
        foreach (var part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync();
        }
        Directory.Delete(_state, recursive: true);
    }

    /// <summary>An access token from the gateway's provider for a seeded user (password grant, as <c>./cl2 token</c>).</summary>
    public Task<string> UserTokenAsync(string user) => Launcher.UserTokenAsync(user);

    /// <summary>A client of the gateway that sends <paramref name="token"/> (none: anonymous).</summary>
    public HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromMinutes(3) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    /// <summary>The GraphQL answer to <paramref name="query"/> through the gateway: its data, or the first error's code.</summary>
    public static async Task<(JsonElement Data, string? ErrorCode)> GraphQLAsync(HttpClient http, string query, object? variables = null)
    {
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.TryGetProperty("errors", out var errors))
        {
            return (default, errors[0].GetProperty("extensions").GetProperty("code").GetString());
        }
        return (body.GetProperty("data").Clone(), null);
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}

[CollectionDefinition(SignedInPlatform.Collection)]
public sealed class SignedInPlatformCollection : ICollectionFixture<SignedInPlatform>;
