using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.Testing;

/// <summary>
/// One labeling on its own PostgreSQL and several inference replicas, each its own process with its own listener port and
/// ingest store, claiming studies through labeling (<c>Inference:Replicas:ClaimThroughLabeling</c>), as behind a TCP load
/// balancer. A routing rule sends every OT study pass-through. Labeling takes the development identity headers. Used by
/// the scale-out tests and by <c>./cl2 bench scale</c>; disposing it stops everything.
/// </summary>
public sealed class InferenceReplicas : IAsyncDisposable
{
    private readonly string _root;
    private readonly PostgresCluster _postgres;
    private readonly PlatformLauncher _labelingLauncher;
    private readonly HttpClient _http;
    private readonly PlatformLauncher[] _replicaLaunchers;
    private readonly BackgroundProcess?[] _replicas;
    private readonly string _logLevel;

    private InferenceReplicas(string root, PostgresCluster postgres, PlatformLauncher labelingLauncher, BackgroundProcess labeling, int replicas, string logLevel)
    {
        _logLevel = logLevel;
        _root = root;
        _postgres = postgres;
        _labelingLauncher = labelingLauncher;
        Labeling = labeling;
        _http = new HttpClient { BaseAddress = new Uri(labelingLauncher.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
        _replicaLaunchers = [.. Enumerable.Range(0, replicas).Select(replica => new PlatformLauncher(Path.Combine(root, $"inference-{replica}")))];
        _replicas = new BackgroundProcess?[replicas];
    }

    public BackgroundProcess Labeling { get; }

    /// <summary>The processes to name when a wait fails (replicas that were killed left out).</summary>
    public BackgroundProcess[] Processes => [Labeling, .. _replicas.OfType<BackgroundProcess>()];

    /// <param name="logLevel">The replicas' log level (a benchmark keeps them quiet).</param>
    public static async Task<InferenceReplicas> StartAsync(int replicas, string logLevel = "Information")
    {
        var root = Directory.CreateTempSubdirectory("cl2-e2e-replicas-").FullName;
        var postgres = await PostgresCluster.CreateAsync();
        var launcher = new PlatformLauncher(Path.Combine(root, "labeling"), postgres.ConnectionString);
        var labeling = await launcher.StartAsync(PlatformLauncher.Labeling,
            new Dictionary<string, string>(PlatformLauncher.HeaderIdentity) { ["Logging__LogLevel__Default"] = "Warning" });
        var platform = new InferenceReplicas(root, postgres, launcher, labeling, replicas, logLevel);
        await platform.UntilAsync(async () => (await platform._http.GetAsync(new Uri("health/ready", UriKind.Relative))).IsSuccessStatusCode, "labeling ready",
            TimeSpan.FromMinutes(2));
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "OT studies", priority = 1, workload = "pass-through", modality = "OT", expectedVersion = 0 } });
        for (var replica = 0; replica < replicas; replica++)
        {
            await platform.StartReplicaAsync(replica);
        }
        return platform;
    }

    /// <summary>Starts replica <paramref name="replica"/> (again, after <see cref="KillReplicaAsync"/>) on its own store.</summary>
    public async Task StartReplicaAsync(int replica)
    {
        _replicas[replica] = await _replicaLaunchers[replica].StartAsync(PlatformLauncher.Inference, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["Logging__LogLevel__Default"] = _logLevel,
            ["Labeling__BaseAddress"] = _labelingLauncher.LabelingUrl,
            ["Inference__Forwarding__LabelingUrl"] = _labelingLauncher.LabelingUrl,
            ["Inference__Replicas__ClaimThroughLabeling"] = "true",
            ["Inference__Replicas__Name"] = $"inference-{replica}",
            ["Inference__Replicas__LeaseSeconds"] = "10",
            ["Inference__Forwarding__QuietPeriod"] = "00:00:00.500",
            ["Inference__Forwarding__PollInterval"] = "00:00:00.200",
            ["Inference__Completeness__QuietPeriod"] = "00:00:02",
            ["Inference__Processing__PollInterval"] = "00:00:00.200",
            ["Inference__Routing__RefreshInterval"] = "00:00:00.200",
        }, name: $"inference-{replica}");
    }

    /// <summary>SIGKILL, as a node failure would: what the replica acknowledged stays in its store.</summary>
    public async Task KillReplicaAsync(int replica)
    {
        await _replicas[replica]!.DisposeAsync();
        _replicas[replica] = null;
    }

    /// <summary>Instances <paramref name="instanceNumbers"/> of the study to the replica's listener, in one association (storescu).</summary>
    public async Task SendAsync(int replica, string studyInstanceUid, IEnumerable<int> instanceNumbers)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "send", Guid.NewGuid().ToString("N"))).FullName;
        var files = new List<string>();
        foreach (var number in instanceNumbers)
        {
            files.Add(Path.Combine(folder, $"{number}.dcm"));
            await File.WriteAllBytesAsync(files[^1], ArchivedStudies.Instance(studyInstanceUid, number));
        }
        var port = _replicaLaunchers[replica].DicomPort.ToString(CultureInfo.InvariantCulture);
        for (var attempt = 1; ; attempt++)
        {
            // The listener opens its port once its store is replayed; until then storescu cannot connect.
            var sent = await Dcmtk.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "CL2", "127.0.0.1", port, .. files]);
            if (sent.ExitCode == 0 || attempt == 120)
            {
                sent.EnsureSuccess($"storescu to inference-{replica}");
                return;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>How many instances of the study labeling's archive holds (QIDO-RS).</summary>
    public async Task<int> ArchivedInstancesAsync(string studyInstanceUid)
    {
        using var response = await _http.GetAsync(new Uri($"dicomweb/studies/{studyInstanceUid}/instances", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode && body.Length > 0 ? JsonDocument.Parse(body).RootElement.GetArrayLength() : 0;
    }

    /// <summary>The outcomes labeling recorded for the study (null: for every study).</summary>
    public async Task<int> ResultCountAsync(string? study) =>
        (await GraphQLAsync("query($study: String) { inferenceResults(study: $study) { totalCount } }", new { study }))
            .GetProperty("inferenceResults").GetProperty("totalCount").GetInt32();

    /// <summary>The instance count labeling's StudyReceived fact holds (what the replica that processed the study reported).</summary>
    public async Task<int> ReceivedInstanceCountAsync(string studyInstanceUid) =>
        (await GraphQLAsync("query($study: String!) { receivedStudies(study: $study) { instanceCount } }", new { study = studyInstanceUid }))
            .GetProperty("receivedStudies").EnumerateArray().Select(study => study.GetProperty("instanceCount").GetInt32()).DefaultIfEmpty(0).Max();

    /// <summary>A GraphQL operation on labeling; its errors as an <see cref="InvalidOperationException"/>.</summary>
    public async Task<JsonElement> GraphQLAsync(string query, object? variables = null)
    {
        using var response = await _http.PostAsJsonAsync(new Uri("graphql", UriKind.Relative), new { query, variables });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.TryGetProperty("errors", out var errors) ? throw new InvalidOperationException($"{query}: {errors}") : body.GetProperty("data").Clone();
    }

    /// <summary>Polls until <paramref name="condition"/> holds (not answering yet counts as not yet); fails when a process
    /// exits or <paramref name="within"/> passes, with every process's output.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within)
    {
        for (var clock = Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not answering yet.
            }
            if (Processes.FirstOrDefault(process => process.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
            }
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"waited {within} for {what}:\n" + string.Join("\n", Processes.Select(process => $"--- {process.Name}\n{process.Output}")));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas.OfType<BackgroundProcess>())
        {
            await replica.DisposeAsync();
        }
        await Labeling.DisposeAsync();
        _http.Dispose();
        await _postgres.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
