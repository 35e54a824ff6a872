using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Cl2.Testing;

/// <summary>
/// Labeling (one replica, or several on one PostgreSQL and one blob store behind the gateway) and several inference
/// replicas, each its own process with its own listener port and ingest store, claiming studies through labeling
/// (<c>Inference:Replicas:ClaimThroughLabeling</c>), as behind a TCP load balancer; training workers on demand. Every
/// process is started as <c>./cl2 up</c> starts it (<see cref="PlatformLauncher"/>). A routing rule sends every OT study
/// pass-through. Labeling takes the development identity headers (through the gateway, which removes them, every caller is
/// the default developer holding every role). Used by the scale-out tests and by <c>./cl2 bench scale</c>; disposing it
/// stops everything.
/// </summary>
public sealed class InferenceReplicas : IAsyncDisposable
{
    private readonly string _root;
    private readonly PostgresCluster _postgres;
    private readonly PlatformLauncher[] _labelingLaunchers;
    private readonly BackgroundProcess?[] _labeling;
    private readonly BackgroundProcess? _gateway;
    private readonly HttpClient _http;
    private readonly PlatformLauncher[] _replicaLaunchers;
    private readonly BackgroundProcess?[] _replicas;
    // A test may kill and restart a worker while another task waits on the processes.
    private readonly ConcurrentDictionary<string, BackgroundProcess> _workers = new(StringComparer.Ordinal);
    private readonly ReplicaSettings _settings;

    private InferenceReplicas(string root, PostgresCluster postgres, PlatformLauncher[] labelingLaunchers, ReplicaSettings settings, BackgroundProcess? gateway)
    {
        _gateway = gateway;
        _settings = settings;
        _root = root;
        _postgres = postgres;
        _labelingLaunchers = labelingLaunchers;
        _labeling = new BackgroundProcess?[labelingLaunchers.Length];
        ApiUrl = settings.Gateway ? labelingLaunchers[0].GatewayUrl : labelingLaunchers[0].LabelingUrl;
        _http = new HttpClient { BaseAddress = new Uri(ApiUrl), Timeout = TimeSpan.FromMinutes(2) };
        _replicaLaunchers = [.. Enumerable.Range(0, settings.Replicas).Select(replica => new PlatformLauncher(Path.Combine(root, $"inference-{replica}")))];
        _replicas = new BackgroundProcess?[settings.Replicas];
    }

    /// <summary>The first labeling replica (while it runs).</summary>
    public BackgroundProcess Labeling => _labeling[0]!;

    /// <summary>Where the replicas, the workers and <see cref="GraphQLAsync"/> reach labeling: the gateway when there is one.</summary>
    public string ApiUrl { get; }

    /// <summary>Labeling's PostgreSQL (a test reads the event store directly).</summary>
    public PostgresCluster Postgres => _postgres;

    /// <summary>The processes to name when a wait fails (those that were killed left out).</summary>
    public BackgroundProcess[] Processes =>
        [.. _labeling.OfType<BackgroundProcess>(), .. _gateway is null ? [] : new[] { _gateway }, .. _replicas.OfType<BackgroundProcess>(), .. _workers.Values];

    /// <param name="logLevel">The replicas' log level (a benchmark keeps them quiet).</param>
    public static Task<InferenceReplicas> StartAsync(int replicas, string logLevel = "Information") =>
        StartAsync(new ReplicaSettings(replicas, LogLevel: logLevel));

    public static async Task<InferenceReplicas> StartAsync(ReplicaSettings settings)
    {
        var root = Directory.CreateTempSubdirectory("cl2-e2e-replicas-").FullName;
        var postgres = await PostgresCluster.CreateAsync();
        // One state folder: the replicas share the blob store (Blobs:Root under it), as replicas of a deployment share a volume.
        var launchers = Enumerable.Range(0, settings.LabelingReplicas)
            .Select(_ => new PlatformLauncher(Path.Combine(root, "labeling"), postgres.ConnectionString)).ToArray();
        BackgroundProcess? gateway = null;
        if (settings.Gateway)
        {
            var proxy = new Dictionary<string, string>
            {
                // Every caller here is anonymous on 127.0.0.1, one rate-limit partition (Gateway:Limits is per user, else per
                // address): the replicas', workers' and test's polls together would pass the default 200 per second.
                ["Gateway__Limits__RequestsPerSecond"] = "100000",
                ["Gateway__Limits__Burst"] = "100000",
                // Every labeling replica a destination; the active health check takes a dead one out of the rotation.
                ["ReverseProxy__Clusters__labeling__HealthCheck__Active__Enabled"] = "true",
                ["ReverseProxy__Clusters__labeling__HealthCheck__Active__Interval"] = "00:00:01",
                ["ReverseProxy__Clusters__labeling__HealthCheck__Active__Timeout"] = "00:00:10",
                ["ReverseProxy__Clusters__labeling__HealthCheck__Active__Path"] = "/health/ready",
                ["ReverseProxy__Clusters__labeling__HealthCheck__Active__Policy"] = "ConsecutiveFailures",
                // Failed proxied requests take it out sooner than the next probe does.
                ["ReverseProxy__Clusters__labeling__HealthCheck__Passive__Enabled"] = "true",
                ["ReverseProxy__Clusters__labeling__HealthCheck__Passive__ReactivationPeriod"] = "00:00:05",
            };
            for (var replica = 1; replica < launchers.Length; replica++)
            {
                proxy[$"ReverseProxy__Clusters__labeling__Destinations__labeling-{replica}__Address"] = launchers[replica].LabelingUrl;
            }
            gateway = await launchers[0].StartAsync(PlatformLauncher.Gateway, proxy);
        }
        var platform = new InferenceReplicas(root, postgres, launchers, settings, gateway);
        for (var replica = 0; replica < launchers.Length; replica++)
        {
            await platform.StartLabelingAsync(replica);
        }
        if (gateway is not null)
        {
            await platform.UntilAsync(async () => (await platform._http.GetAsync(new Uri("health/live", UriKind.Relative))).IsSuccessStatusCode, "the gateway",
                TimeSpan.FromMinutes(2));
        }
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "OT studies", priority = 1, workload = "pass-through", modality = "OT", expectedVersion = 0 } });
        for (var replica = 0; replica < settings.Replicas; replica++)
        {
            await platform.StartReplicaAsync(replica);
        }
        return platform;
    }

    /// <summary>Starts labeling replica <paramref name="replica"/> (again, after <see cref="KillLabelingAsync"/>) and waits until it is ready.</summary>
    public async Task StartLabelingAsync(int replica)
    {
        var launcher = _labelingLaunchers[replica];
        _labeling[replica] = await launcher.StartAsync(PlatformLauncher.Labeling,
            new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
            {
                ["Logging__LogLevel__Default"] = "Warning",
                // A fresh labeling's first writes (the routing rule below) outlasted the default 30 s operation budget on a
                // loaded 2-core machine, and the test failed before it began; no assertion here is about labeling's speed.
                ["GraphQL__RequestTimeoutSeconds"] = "180",
            }, name: $"labeling-{replica}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await UntilAsync(async () => (await http.GetAsync(new Uri(launcher.LabelingUrl + "health/ready"))).IsSuccessStatusCode, $"labeling-{replica} ready",
            TimeSpan.FromMinutes(3));
    }

    /// <summary>SIGKILL of labeling replica <paramref name="replica"/>.</summary>
    public async Task KillLabelingAsync(int replica)
    {
        // Out of Processes first: a wait in another task must not take the kill for a crash.
        var labeling = _labeling[replica]!;
        _labeling[replica] = null;
        await labeling.DisposeAsync();
    }

    /// <summary>Starts replica <paramref name="replica"/> (again, after <see cref="KillReplicaAsync"/>) on its own store.</summary>
    /// <param name="overrides">Settings for this start of this replica only (they win over <see cref="ReplicaSettings.Inference"/>
    /// and <see cref="ReplicaSettings.PerReplica"/>).</param>
    public async Task StartReplicaAsync(int replica, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["Logging__LogLevel__Default"] = _settings.LogLevel,
            ["Labeling__BaseAddress"] = ApiUrl,
            ["Inference__Forwarding__LabelingUrl"] = ApiUrl,
            ["Inference__Replicas__ClaimThroughLabeling"] = "true",
            ["Inference__Replicas__Name"] = $"inference-{replica}",
            ["Inference__Replicas__LeaseSeconds"] = "10",
            ["Inference__Forwarding__QuietPeriod"] = "00:00:00.500",
            ["Inference__Forwarding__PollInterval"] = "00:00:00.200",
            ["Inference__Completeness__QuietPeriod"] = "00:00:02",
            ["Inference__Processing__PollInterval"] = "00:00:00.200",
            ["Inference__Routing__RefreshInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in (_settings.Inference ?? new Dictionary<string, string>())
            .Concat(_settings.PerReplica?.GetValueOrDefault(replica) ?? new Dictionary<string, string>())
            .Concat(overrides ?? new Dictionary<string, string>()))
        {
            settings[key] = value;
        }
        _replicas[replica] = await _replicaLaunchers[replica].StartAsync(PlatformLauncher.Inference, settings, name: $"inference-{replica}");
        // The listener opens its port once its store is replayed: a study sent to two replicas goes to both at once only
        // when both listen.
        var port = _replicaLaunchers[replica].DicomPort.ToString(CultureInfo.InvariantCulture);
        await UntilAsync(async () => (await Dcmtk.RunAsync("echoscu", ["-aet", "MODALITY", "-aec", "CL2", "127.0.0.1", port])).ExitCode == 0,
            $"inference-{replica}'s listener", TimeSpan.FromMinutes(3));
    }

    /// <summary>Starts a training worker named <paramref name="name"/> against <see cref="ApiUrl"/> (again, after
    /// <see cref="KillTrainingWorkerAsync"/>: the same name and work folder, as a restarted pod).</summary>
    public async Task StartTrainingWorkerAsync(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var state = Path.Combine(_root, "training");
        _workers[name] = await new PlatformLauncher(state).StartAsync(PlatformLauncher.Training,
            PlatformLauncher.TrainingWorkerSettings(name, ApiUrl, state, overrides), name);
    }

    /// <summary>SIGKILL of the training worker <paramref name="name"/>.</summary>
    public async Task KillTrainingWorkerAsync(string name)
    {
        if (_workers.TryRemove(name, out var worker))
        {
            await worker.DisposeAsync();
        }
    }

    /// <summary>SIGKILL, as a node failure would: what the replica acknowledged stays in its store.</summary>
    public async Task KillReplicaAsync(int replica)
    {
        var killed = _replicas[replica]!;
        _replicas[replica] = null;
        await killed.DisposeAsync();
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
        await SendFilesAsync(replica, files);
    }

    /// <summary>The Part 10 files to the replica's listener, in one association (storescu); sent again whole until one
    /// association succeeds (the replica not listening yet, or killed and restarted meanwhile).</summary>
    public async Task SendFilesAsync(int replica, IReadOnlyList<string> files)
    {
        var port = _replicaLaunchers[replica].DicomPort.ToString(CultureInfo.InvariantCulture);
        for (var attempt = 1; ; attempt++)
        {
            // The listener opens its port once its store is replayed; until then storescu cannot connect.
            var sent = await Dcmtk.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "CL2", "127.0.0.1", port, .. files]);
            if (sent.ExitCode == 0 || attempt == 360)
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

    /// <summary>Rows of a query on labeling's PostgreSQL (psql, unaligned: one line per row), to read the event store directly.</summary>
    public async Task<string[]> PsqlAsync(string sql) =>
        (await ProcessRunner.RunAsync(Path.Combine(PostgresCluster.BinDirectory, "psql"),
            ["-h", "127.0.0.1", "-p", _postgres.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-At", "-c", sql]))
            .EnsureSuccess("psql").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A GraphQL operation on labeling (through the gateway when there is one); its errors as an <see cref="InvalidOperationException"/>.</summary>
    public Task<JsonElement> GraphQLAsync(string query, object? variables = null) => LabelingApi.GraphQLAsync(_http, query, variables);

    /// <summary>Registers a model, a version of it from <paramref name="modelFolder"/>, and promotes it; the model's id.</summary>
    public async Task<string> ServeModelAsync(string name, string task, string modelFolder)
    {
        var modelId = await LabelingApi.RegisterModelAsync(_http, name, task);
        var work = Directory.CreateDirectory(Path.Combine(_root, "models")).FullName;
        await LabelingApi.PromoteAsync(_http, modelId, await LabelingApi.RegisterVersionAsync(_http, modelId, modelFolder, new Dictionary<string, double>(), work));
        return modelId;
    }

    /// <summary>Adds a routing rule (<see cref="LabelingApi.SaveRoutingRuleAsync"/>).</summary>
    public Task SaveRoutingRuleAsync(string name, string workload, string? modelName, string modality) =>
        LabelingApi.SaveRoutingRuleAsync(_http, name, workload, modelName, modality);

    /// <summary>Polls until <paramref name="condition"/> holds (not answering yet counts as not yet); fails when a process
    /// exits or <paramref name="within"/> passes, with every process's output.</summary>
    public Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within, int pollMilliseconds = 250) =>
        ProcessWait.UntilAsync(condition, what, within, () => Processes, pollMilliseconds);

    /// <summary>Stops every service process (PostgreSQL stays up): nothing writes to the event store afterwards.</summary>
    public async Task StopServicesAsync()
    {
        foreach (var process in Processes)
        {
            await process.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Processes)
        {
            await process.DisposeAsync();
        }
        _http.Dispose();
        await _postgres.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

/// <summary>What <see cref="InferenceReplicas"/> starts.</summary>
/// <param name="Replicas">Inference replicas.</param>
/// <param name="LabelingReplicas">Labeling replicas; more than one needs <paramref name="Gateway"/>.</param>
/// <param name="Gateway">The gateway in front of labeling: the replicas and workers reach labeling through it.</param>
/// <param name="Inference">More inference settings (environment variables; they win).</param>
/// <param name="LogLevel">The inference replicas' log level (a benchmark keeps them quiet).</param>
/// <param name="PerReplica">More settings for one inference replica, by its number (they win over <paramref name="Inference"/>).</param>
public sealed record ReplicaSettings(int Replicas, int LabelingReplicas = 1, bool Gateway = false,
    IReadOnlyDictionary<string, string>? Inference = null, string LogLevel = "Information",
    IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>>? PerReplica = null);
