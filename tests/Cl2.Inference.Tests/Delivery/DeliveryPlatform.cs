using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cl2.Inference.Delivery;
using Cl2.Inference.Tests.Listener;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Delivery;

/// <summary>
/// One delivery test's processes and folders: labeling (with its PostgreSQL) and inference as their own processes, as
/// ./cl2 up runs them; results handed to the outbox through <see cref="DeliveryOutbox"/> (what the processing loop calls)
/// while inference is stopped, so the process that sends them is another than the one that wrote them. Disposing it kills
/// what still runs.
/// </summary>
internal sealed class DeliveryPlatform : IAsyncDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(90);

    private readonly List<BackgroundProcess> _running = [];
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-delivery-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public DeliveryPlatform(params DeliveryDestinationOptions[] destinations) => Destinations = destinations;

    public IReadOnlyList<DeliveryDestinationOptions> Destinations { get; }

    public string LabelingUrl { get; } = $"http://127.0.0.1:{FreePort.Next()}/";

    public string InferenceUrl { get; } = $"http://127.0.0.1:{FreePort.Next()}/";

    public int DicomPort { get; } = FreePort.Next();

    public string Storage => Path.Combine(_root, "inference");

    public async Task<BackgroundProcess> StartLabelingAsync(PostgresCluster postgres)
    {
        var labeling = await PlatformProcesses.StartLabelingAsync(_root, LabelingUrl, postgres);
        _running.Add(labeling);
        return labeling;
    }

    /// <param name="settings">More Inference settings (key as an environment variable, e.g. Inference__Delivery__MaxAttempts).</param>
    public Task<BackgroundProcess> StartInferenceAsync(params (string Key, string Value)[] settings) =>
        StartInferenceAsync(Storage, DicomPort, InferenceUrl, Destinations, settings);

    /// <summary>Another inference process beside the first (a replica): its own store (under <paramref name="name"/>), ports and
    /// <paramref name="destinations"/> (the same names may point elsewhere).</summary>
    public Task<BackgroundProcess> StartReplicaAsync(string name, IReadOnlyList<DeliveryDestinationOptions> destinations, params (string Key, string Value)[] settings) =>
        StartInferenceAsync(Path.Combine(_root, name), FreePort.Next(), $"http://127.0.0.1:{FreePort.Next()}/", destinations, settings);

    private async Task<BackgroundProcess> StartInferenceAsync(string storage, int dicomPort, string url, IReadOnlyList<DeliveryDestinationOptions> destinations,
        (string Key, string Value)[] settings)
    {
        // Labeling (started so too) takes inference's calls by the development identity headers.
        var environment = new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = url,
            ["Labeling__BaseAddress"] = LabelingUrl,
            // Blobs (a replica's delivery objects) are read and written where forwarding would send: labeling here too.
            ["Inference__Forwarding__LabelingUrl"] = LabelingUrl,
            ["Labeling__ServiceUser"] = "inference",
            ["Inference__Forwarding__Enabled"] = "false",
            ["Inference__Delivery__FirstRetryDelay"] = "00:00:00.200",
            ["Inference__Delivery__MaxRetryDelay"] = "00:00:01",
            ["Inference__Delivery__PollInterval"] = "00:00:00.100",
            ["Inference__Delivery__RetryRequestPollInterval"] = "00:00:00.500",
            ["Inference__Delivery__SendTimeout"] = "00:00:30",
        };
        for (var i = 0; i < destinations.Count; i++)
        {
            foreach (var (key, value) in Settings(destinations[i]))
            {
                environment[$"Inference__Delivery__Destinations__{i}__{key}"] = value;
            }
        }
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        var inference = await ListenerProcess.StartAsync(storage, dicomPort, ReadyWithin, environment);
        _running.Add(inference);
        await UntilAsync(async () => (await _http.GetAsync(new Uri(url + "health/live"))).StatusCode == HttpStatusCode.OK, "inference's HTTP endpoint", inference);
        return inference;
    }

    /// <summary>Hands a result to the outbox as the processing loop does (inference must not be running: one writer of the journal).</summary>
    public async Task<IReadOnlyList<string>> EnqueueAsync(Guid resultId, string studyInstanceUid, string callingAeTitle, params string[] part10Files)
    {
        using var outbox = new DeliveryOutbox(Options.Create(new InferenceOptions { StoragePath = Storage }),
            Options.Create(new DeliveryOptions { Destinations = [.. Destinations] }), TimeProvider.System, NullLogger<DeliveryOutbox>.Instance);
        return await outbox.EnqueueAsync(resultId, studyInstanceUid, callingAeTitle, part10Files, CancellationToken.None);
    }

    /// <summary>A result in labeling for the study (a registered model version ran on it), as the processing loop records it.</summary>
    public async Task<Guid> RecordResultAsync(string studyInstanceUid)
    {
        using var blob = await SendAsync(HttpMethod.Post, "blobs", new StringContent("weights"));
        blob.EnsureSuccessStatusCode();
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("weights"u8.ToArray()));
        var modelId = (await GraphQLAsync("mutation { registerModel(input: { name: \"delivery-test\", task: \"liver-ct\" }) { id } }")).GetProperty("registerModel").GetProperty("id").GetString();
        var versionId = (await GraphQLAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:1" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString();
        return (await GraphQLAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid, modelVersionId = versionId, pipeline = "liver-ct", resultUids = new[] { studyInstanceUid + ".9" }, durationMs = 1.0 } }))
            .GetProperty("recordInferenceResult").GetProperty("id").GetGuid();
    }

    /// <summary>The result's deliveries as labeling records them: destination → (status, attempts).</summary>
    public async Task<IReadOnlyDictionary<string, (string Status, int Attempts)>> DeliveriesAsync(Guid resultId) =>
        (await GraphQLAsync("query($id: ID!) { inferenceResult(id: $id) { deliveries { destination status attempts } } }", new { id = resultId }))
            .GetProperty("inferenceResult").GetProperty("deliveries").EnumerateArray()
            .ToDictionary(delivery => delivery.GetProperty("destination").GetString()!,
                delivery => (delivery.GetProperty("status").GetString()!, delivery.GetProperty("attempts").GetInt32()));

    /// <summary>How many times labeling recorded the result delivered to <paramref name="destination"/> (its DeliverySucceeded
    /// events, counted by PostgreSQL itself).</summary>
    public static async Task<int> SuccessesRecordedAsync(PostgresCluster postgres, Guid resultId, string destination)
    {
        var result = await ProcessRunner.RunAsync(Path.Combine(PostgresCluster.BinDirectory, "psql"),
            ["-h", "127.0.0.1", "-p", postgres.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-Atc",
                $"select count(*) from cl2.mt_events where type = 'delivery_succeeded' and stream_id = '{resultId}' and data->>'Destination' = '{destination}'"]);
        return int.Parse(result.EnsureSuccess("psql").Output.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Stores a file in labeling's blob store, as a replica stores a delivery's objects; its digest.</summary>
    public async Task<string> StoreBlobAsync(string path)
    {
        using var stored = await SendAsync(HttpMethod.Post, "blobs", new ByteArrayContent(await File.ReadAllBytesAsync(path)));
        stored.EnsureSuccessStatusCode();
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(path)));
    }

    /// <summary>The outbox as inference's API shows it: delivery id → state.</summary>
    public async Task<IReadOnlyDictionary<string, string>> OutboxAsync()
    {
        using var response = await SendAsync(HttpMethod.Get, InferenceUrl + "api/inference/delivery", null);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return status.GetProperty("deliveries").GetProperty("items").EnumerateArray()
            .ToDictionary(delivery => delivery.GetProperty("id").GetString()!, delivery => delivery.GetProperty("state").GetString()!);
    }

    /// <summary>The SOP Instance UIDs of the study in labeling's archive (QIDO-RS), where reviewers see them.</summary>
    public async Task<IReadOnlyList<string>> ArchivedAsync(string studyInstanceUid)
    {
        using var http = new HttpClient { BaseAddress = new Uri(LabelingUrl + "dicomweb/"), Timeout = TimeSpan.FromSeconds(30) };
        var instances = await new Cl2.Dicom.Web.DicomWebClient(http).SearchInstancesAsync(studyInstanceUid);
        return instances.Select(instance => instance.GetString(Cl2.Dicom.DicomTags.SOPInstanceUID)).Order().ToList();
    }

    public async Task<JsonElement> GraphQLAsync(string query, object? variables = null, string roles = "admin")
    {
        using var response = await SendAsync(HttpMethod.Post, "graphql", JsonContent.Create(new { query, variables }), roles);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.TryGetProperty("errors", out var errors) ? throw new InvalidOperationException(errors.ToString()) : body.GetProperty("data");
    }

    /// <summary>A DCMTK-encoded copy of a corpus file, moved into <paramref name="studyInstanceUid"/> under a new SOP Instance
    /// UID, with <paramref name="attributes"/> (DCMTK "(gggg,eeee)=value") set.</summary>
    public async Task<(string Path, string SopInstanceUid)> ResultObjectAsync(string corpusName, string studyInstanceUid, string sopInstanceUid, params string[] attributes)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "results", Guid.NewGuid().ToString("N"))).FullName;
        var path = await Corpus.DcmtkEncodedCopyAsync(corpusName, folder);
        var modify = new List<string> { "-nb", "-m", $"(0020,000D)={studyInstanceUid}", "-m", $"(0008,0018)={sopInstanceUid}" };
        foreach (var attribute in attributes)
        {
            modify.AddRange(["-i", attribute]);
        }
        (await Dcmtk.RunAsync("dcmodify", [.. modify, path])).EnsureSuccess("dcmodify");
        return (path, sopInstanceUid);
    }

    public Task UntilAsync(Func<Task<bool>> condition, string what, params BackgroundProcess[] processes) =>
        PlatformProcesses.UntilAsync(condition, what, processes);

    /// <summary>SIGKILL: no shutdown hook runs.</summary>
    public async Task KillAsync(BackgroundProcess process)
    {
        _running.Remove(process);
        await process.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _running)
        {
            await process.DisposeAsync();
        }
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content, string roles = "admin")
    {
        using var request = new HttpRequestMessage(method, new Uri(url.StartsWith("http", StringComparison.Ordinal) ? url : LabelingUrl + url)) { Content = content };
        request.Headers.Add("X-Cl2-User", "delivery-test");
        request.Headers.Add("X-Cl2-Roles", roles);
        return await _http.SendAsync(request);
    }

    private static IEnumerable<(string Key, string Value)> Settings(DeliveryDestinationOptions destination)
    {
        yield return (nameof(destination.Name), destination.Name);
        yield return (nameof(destination.Kind), destination.Kind.ToString());
        yield return (nameof(destination.Host), destination.Host);
        yield return (nameof(destination.Port), destination.Port.ToString(CultureInfo.InvariantCulture));
        yield return (nameof(destination.CalledAeTitle), destination.CalledAeTitle);
        yield return (nameof(destination.CommentsAttribute), destination.CommentsAttribute.ToString());
        yield return (nameof(destination.ProjectTemplate), destination.ProjectTemplate);
        yield return (nameof(destination.SubjectTemplate), destination.SubjectTemplate);
        yield return (nameof(destination.SessionTemplate), destination.SessionTemplate);
        foreach (var (project, title) in destination.ProjectAeTitles)
        {
            yield return ($"{nameof(destination.ProjectAeTitles)}__{project}", title);
        }
    }
}
