using System.Globalization;

namespace Cl2.Testing;

/// <summary>
/// Starts cl2's services (labeling, inference, training, gateway) as their own processes, each exactly as <c>./cl2 up</c>
/// starts it, on this platform's free ports and state folder. The script is the one place that knows a service's project
/// and configuration: the launcher asks it (<c>./cl2 service-command NAME</c>) for the assembly and the environment, then
/// adds the test's own settings. Asking the script, rather than sharing a data file both read, keeps one parser (bash)
/// and makes every test that starts a service also a test of what <c>up</c> passes to it.
/// </summary>
/// <param name="state">The state folder (<c>CL2_STATE_DIR</c>): the services' data go under <c>data/</c>, the training
/// worker's health file is <c>run/training.health</c>.</param>
/// <param name="postgresConnectionString">Labeling's database (a test's <see cref="PostgresCluster"/>); only labeling needs one.</param>
public sealed class PlatformLauncher(string state, string? postgresConnectionString = null)
{
    public const string Labeling = "labeling";
    public const string Inference = "inference";
    public const string Training = "training";
    public const string Gateway = "gateway";

    public string State { get; } = state;

    public int LabelingPort { get; } = FreePort.Next();

    public int InferencePort { get; } = FreePort.Next();

    public int GatewayPort { get; } = FreePort.Next();

    /// <summary>Inference's DICOM listener.</summary>
    public int DicomPort { get; } = FreePort.Next();

    public string LabelingUrl => $"http://127.0.0.1:{LabelingPort}/";

    public string InferenceUrl => $"http://127.0.0.1:{InferencePort}/";

    public string GatewayUrl => $"http://127.0.0.1:{GatewayPort}/";

    /// <summary>Where the training worker writes its health report (first line: Healthy, Degraded or Unhealthy).</summary>
    public string TrainingHealthFile => Path.Combine(State, "run", "training.health");

    /// <summary>The settings that put a service in Production (the script starts every service in Development).</summary>
    public static IReadOnlyDictionary<string, string> Production { get; } = new Dictionary<string, string>
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
    };

    /// <summary>
    /// The settings that make a service read its callers from the development identity headers (<c>X-Cl2-User</c> /
    /// <c>X-Cl2-Roles</c>; no headers: a developer holding every role) and make the workers send those headers instead of
    /// an access token. Only for tests that ask for it: the script starts every service with sign-in (access tokens).
    /// </summary>
    public static IReadOnlyDictionary<string, string> HeaderIdentity { get; } = new Dictionary<string, string>
    {
        ["DevelopmentIdentity__Enabled"] = "true",
        ["DevelopmentIdentity__DefaultUser"] = "developer",
        ["DevelopmentIdentity__DefaultRoles__0"] = "annotator",
        ["DevelopmentIdentity__DefaultRoles__1"] = "radiologist",
        ["DevelopmentIdentity__DefaultRoles__2"] = "ml-engineer",
        ["DevelopmentIdentity__DefaultRoles__3"] = "admin",
        ["DevelopmentIdentity__DefaultRoles__4"] = "service",
        ["Labeling__ClientId"] = "",
    };

    /// <summary>The built-in provider's generated password for a seeded user (<c>users</c>) or secret for a client
    /// (<c>clients</c>), as the script wrote it for this platform's state folder.</summary>
    public string Secret(string kind, string name) =>
        File.ReadAllText(Path.Combine(State, "identity", "secrets", kind, $"{name}.{(kind == "users" ? "password" : "secret")}")).Trim();

    /// <summary>
    /// An access token for a seeded user from the gateway's built-in provider (the password grant of the client
    /// <c>cl2-cli</c>, as <c>./cl2 token</c> asks for it); an <see cref="HttpRequestException"/> naming the answer otherwise.
    /// </summary>
    public Task<string> UserTokenAsync(string user, CancellationToken cancellationToken = default) =>
        UserTokenAsync(new Uri(GatewayUrl), user, Secret("users", user), cancellationToken);

    /// <summary>The same from the provider of the gateway at <paramref name="gateway"/> (a platform another process started).</summary>
    public static async Task<string> UserTokenAsync(Uri gateway, string user, string password, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var response = await http.PostAsync(new Uri(gateway, "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "cl2-cli", ["username"] = user, ["password"] = password, ["scope"] = "cl2",
        }), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"no token for {user}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// A training worker's settings for the tests: the header identity, short polls and a short lease (a killed worker's job
    /// is free again soon; each epoch report renews it), its own work folder and case cache under <paramref name="state"/>, no
    /// health file, and tiny synthetic jobs on the workload's small network (jobs as short as the suite needs; the workers of
    /// ProductionSettingsTests and SlurmTrainingWorkerTests train the default, SegResNet).
    /// </summary>
    /// <param name="overrides">Settings that replace the defaults.</param>
    public static Dictionary<string, string> TrainingWorkerSettings(string name, string labelingUrl, string state,
        IReadOnlyDictionary<string, string>? overrides = null)
    {
        // The worker names itself in the X-Cl2-User header (Labeling:ServiceUser) rather than with an access token.
        var settings = new Dictionary<string, string>(HeaderIdentity)
        {
            ["Labeling__BaseAddress"] = labelingUrl,
            ["Training__Device"] = "cpu",
            ["Training__CpuThreads"] = "1",
            ["Training__Jobs__WorkerName"] = name,
            ["Training__Jobs__PollInterval"] = "00:00:00.200",
            ["Training__Jobs__LeaseSeconds"] = "6",
            ["Training__Jobs__WorkDirectory"] = Path.Combine(state, name),
            // Each test's own case cache: one shared across runs would answer from an earlier run's cases.
            ["Training__Cache__Directory"] = Path.Combine(state, $"{name}-cache"),
            // No health file (the script names one for its single worker): these tests watch jobs, not worker health.
            ["Health__StatusFile__Path"] = "",
            ["Training__Jobs__SyntheticCases"] = "8",
            ["Training__Jobs__SyntheticSize"] = "16",
            ["Training__Jobs__Epochs"] = "4",
            ["Training__Jobs__Seed"] = "3",
            ["Training__Jobs__Network"] = "Small",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Starts <paramref name="service"/>; it runs until the returned process is disposed (which kills it).</summary>
    /// <param name="settings">Environment variables that replace or add to the script's, for this process only.</param>
    /// <param name="name">The process's name in failure messages (several workers of one service).</param>
    public async Task<BackgroundProcess> StartAsync(string service, IReadOnlyDictionary<string, string>? settings = null, string? name = null,
        CancellationToken cancellationToken = default)
    {
        var (assembly, environment) = await CommandAsync(service, cancellationToken).ConfigureAwait(false);
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{service} is not built (expected {assembly}); run ./cl2 test, which builds it", assembly);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return BackgroundProcess.Start(name ?? service, "dotnet", [assembly], environment, Path.GetDirectoryName(assembly));
    }

    /// <summary>What <c>./cl2 service-command</c> prints: the assembly, then one KEY=VALUE line per environment variable
    /// (for a test that starts the service its own way, as a Slurm job, say).</summary>
    public async Task<(string Assembly, Dictionary<string, string> Environment)> CommandAsync(string service, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string>
        {
            ["CL2_STATE_DIR"] = State,
            ["CL2_CONFIGURATION"] = Repository.Configuration,
            ["CL2_LABELING_PORT"] = LabelingPort.ToString(CultureInfo.InvariantCulture),
            ["CL2_INFERENCE_PORT"] = InferencePort.ToString(CultureInfo.InvariantCulture),
            ["CL2_GATEWAY_PORT"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["CL2_DICOM_PORT"] = DicomPort.ToString(CultureInfo.InvariantCulture),
            ["CL2_POSTGRES_CONNECTION_STRING"] = postgresConnectionString ?? "",
        };
        var lines = (await ProcessRunner.RunAsync("bash", [Repository.Script, "service-command", service], TimeSpan.FromSeconds(30), variables,
                cancellationToken).ConfigureAwait(false))
            .EnsureSuccess($"./cl2 service-command {service}").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            environment[line[..equals]] = line[(equals + 1)..];
        }
        return (lines[0], environment);
    }
}
