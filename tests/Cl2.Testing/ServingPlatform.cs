using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Cl2.Testing;

/// <summary>
/// The loop a hospital sees, every part real and each service its own process as <c>./cl2 up</c> starts it: an Orthanc
/// playing the PACS, which knows cl2's listener as the modality <c>CL2</c>; inference, which sends every result back to
/// the AE that sent the study (<c>SendingPacs</c>, Orthanc's address in <c>Inference:Listener:MoveDestinations</c>);
/// labeling on its own PostgreSQL. Labeling takes the development identity headers (no headers: a caller holding every
/// role). Forwarding received studies to labeling's archive is off: nothing here reads the archive, and it would only
/// compete for the CPU. Used by the end-to-end serving tests and by <c>./cl2 bench e2e</c>; disposing it stops everything.
/// </summary>
public sealed class ServingPlatform : IAsyncDisposable
{
    private readonly string _root;
    private readonly PostgresCluster _postgres;
    private readonly HttpClient _labelingHttp;

    private ServingPlatform(string root, PostgresCluster postgres, PlatformLauncher launcher, OrthancPeer orthanc, BackgroundProcess labeling)
    {
        _root = root;
        _postgres = postgres;
        Launcher = launcher;
        Orthanc = orthanc;
        Labeling = labeling;
        _labelingHttp = new HttpClient { BaseAddress = new Uri(launcher.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
    }

    public PlatformLauncher Launcher { get; }

    public OrthancPeer Orthanc { get; }

    public BackgroundProcess Labeling { get; }

    public BackgroundProcess? Inference { get; private set; }

    /// <summary>The processes to name when a wait fails.</summary>
    public BackgroundProcess[] Processes => Inference is null ? [Labeling] : [Labeling, Inference];

    /// <summary>Where a test or benchmark may write its own files; deleted with the platform.</summary>
    public string WorkFolder => Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;

    /// <param name="durable">PostgreSQL with fsync on (benchmarks); tests leave it off.</param>
    public static async Task<ServingPlatform> StartAsync(bool durable = false, CancellationToken cancellationToken = default)
    {
        var root = Directory.CreateTempSubdirectory("cl2-serving-").FullName;
        var postgres = await PostgresCluster.CreateAsync(durable, cancellationToken).ConfigureAwait(false);
        var launcher = new PlatformLauncher(Path.Combine(root, "state"), postgres.ConnectionString);
        var orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)> { ["CL2"] = ("127.0.0.1", launcher.DicomPort) },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var labeling = await launcher.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["Logging__LogLevel__Default"] = "Warning",
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var platform = new ServingPlatform(root, postgres, launcher, orthanc, labeling);
        await platform.UntilAsync(async () => (await platform._labelingHttp.GetAsync(new Uri("health/ready", UriKind.Relative), cancellationToken).ConfigureAwait(false))
            .StatusCode == HttpStatusCode.OK, "labeling ready", TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        return platform;
    }

    /// <summary>Starts inference (once the models and rules it is to see exist, or before: it polls for rules and
    /// hears promotions). <paramref name="quietPeriod"/> completes a study; polls are short so a test waits little.</summary>
    /// <param name="settings">More Inference settings as environment variables (they win).</param>
    public async Task StartInferenceAsync(TimeSpan quietPeriod, IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        var environment = new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["Inference__Forwarding__Enabled"] = "false",
            ["Inference__Completeness__QuietPeriod"] = quietPeriod.ToString("c", CultureInfo.InvariantCulture),
            ["Inference__Processing__PollInterval"] = "00:00:00.050",
            ["Inference__Routing__RefreshInterval"] = "00:00:00.200",
            ["Inference__Delivery__PollInterval"] = "00:00:00.050",
            ["Inference__Delivery__FirstRetryDelay"] = "00:00:00.200",
            ["Inference__Delivery__Destinations__0__Name"] = "PACS",
            ["Inference__Delivery__Destinations__0__Kind"] = "SendingPacs",
            [$"Inference__Listener__MoveDestinations__{Orthanc.AeTitle}"] = $"127.0.0.1:{Orthanc.DicomPort}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        Inference = await Launcher.StartAsync(PlatformLauncher.Inference, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await UntilAsync(async () => (await http.GetAsync(new Uri(Launcher.InferenceUrl + "health/live"), cancellationToken).ConfigureAwait(false)).StatusCode == HttpStatusCode.OK,
            "inference's HTTP endpoint", TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A GraphQL operation on labeling; its errors as an <see cref="InvalidOperationException"/>.</summary>
    public Task<JsonElement> GraphQLAsync(string query, object? variables = null, CancellationToken cancellationToken = default) =>
        LabelingApi.GraphQLAsync(_labelingHttp, query, variables, cancellationToken);

    public Task<string> RegisterModelAsync(string name, string task, CancellationToken cancellationToken = default) =>
        LabelingApi.RegisterModelAsync(_labelingHttp, name, task, cancellationToken);

    /// <summary>The model folder registered as the model's next version (<see cref="LabelingApi.RegisterVersionAsync"/>); its id.</summary>
    public Task<string> RegisterVersionAsync(string modelId, string modelFolder, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken = default) =>
        LabelingApi.RegisterVersionAsync(_labelingHttp, modelId, modelFolder, metrics, WorkFolder, cancellationToken);

    public Task PromoteAsync(string modelId, string versionId, CancellationToken cancellationToken = default) =>
        LabelingApi.PromoteAsync(_labelingHttp, modelId, versionId, cancellationToken);

    /// <summary>Adds a routing rule (<see cref="LabelingApi.SaveRoutingRuleAsync"/>).</summary>
    public Task SaveRoutingRuleAsync(string name, string workload, string? modelName, string modality, CancellationToken cancellationToken = default) =>
        LabelingApi.SaveRoutingRuleAsync(_labelingHttp, name, workload, modelName, modality, cancellationToken);

    /// <summary>Deletes every routing rule (a benchmark moving from one workload to the next).</summary>
    public async Task DeleteRoutingRulesAsync(CancellationToken cancellationToken = default)
    {
        var table = (await GraphQLAsync("{ routingRules { version rules { id } } }", cancellationToken: cancellationToken).ConfigureAwait(false)).GetProperty("routingRules");
        var version = table.GetProperty("version").GetInt32();
        foreach (var rule in table.GetProperty("rules").EnumerateArray())
        {
            version = (await GraphQLAsync("mutation($input: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $input) { version } }",
                new { input = new { ruleId = rule.GetProperty("id").GetString(), expectedVersion = version } }, cancellationToken).ConfigureAwait(false))
                .GetProperty("deleteRoutingRule").GetProperty("version").GetInt32();
        }
    }

    /// <summary>Stores the files in Orthanc (REST upload, as a modality would have sent them to the PACS); the Orthanc
    /// ids of the studies they make.</summary>
    public Task<IReadOnlyList<string>> UploadToPacsAsync(IEnumerable<string> files, CancellationToken cancellationToken = default) =>
        Orthanc.UploadAsync(files, cancellationToken);

    public Task SendFromPacsAsync(string orthancStudyId, CancellationToken cancellationToken = default) => SendFromPacsAsync([orthancStudyId], cancellationToken);

    /// <summary>Orthanc sends studies it holds to <c>CL2</c> by C-STORE (REST <c>/modalities/CL2/store</c>, synchronous);
    /// returns when the last instance has left Orthanc (the job answered).</summary>
    /// <param name="orthancStudyIds">Several studies go in one store job, one after another on one association.</param>
    public Task SendFromPacsAsync(IReadOnlyList<string> orthancStudyIds, CancellationToken cancellationToken = default) =>
        Orthanc.StoreAsync("CL2", orthancStudyIds, cancellationToken);

    /// <summary>The instances of <paramref name="studyInstanceUid"/> in Orthanc whose modality is SEG or SR (the results
    /// inference delivered), with their bytes as Orthanc stores them.</summary>
    public Task<IReadOnlyList<DeliveredInstance>> ResultsInPacsAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
        Orthanc.ResultsAsync(studyInstanceUid, cancellationToken);

    /// <summary>The Orthanc ids of the SEG and SR instances of the study (one query: what a poll asks).</summary>
    public Task<IReadOnlyList<string>> ResultIdsInPacsAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
        Orthanc.ResultIdsAsync(studyInstanceUid, cancellationToken);

    /// <summary>The study's recorded outcomes in labeling (<c>inferenceResults</c>): the connection's <c>totalCount</c> and
    /// <c>edges</c>, each node with its failure, version (id, number) and result UIDs, and its stages.</summary>
    public async Task<JsonElement> OutcomesAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
        (await GraphQLAsync("""
            query($study: String) { inferenceResults(study: $study) { totalCount edges { node {
              id failure failureReason pipeline versionId resultUids durationMs completedAt
              modelVersion { number metrics { name value } }
              stages { stage durationMs } } } } }
            """, new { study = studyInstanceUid }, cancellationToken).ConfigureAwait(false)).GetProperty("inferenceResults");

    /// <summary>Polls <paramref name="condition"/> (HTTP failures count as not yet) until it holds; fails with the services'
    /// output when one exits or <paramref name="within"/> runs out.</summary>
    public Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within, CancellationToken cancellationToken = default, int pollMilliseconds = 100) =>
        ProcessWait.UntilAsync(condition, what, within, Processes, pollMilliseconds, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Inference is not null)
        {
            await Inference.DisposeAsync().ConfigureAwait(false);
        }
        await Labeling.DisposeAsync().ConfigureAwait(false);
        await Orthanc.DisposeAsync().ConfigureAwait(false);
        await _postgres.DisposeAsync().ConfigureAwait(false);
        _labelingHttp.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}

/// <summary>An instance as Orthanc holds it: a few of its attributes and its Part 10 bytes.</summary>
public sealed record DeliveredInstance(string Modality, string SopInstanceUid, string SeriesInstanceUid, string StudyInstanceUid, byte[] Bytes);
