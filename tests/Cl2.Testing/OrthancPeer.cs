using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cl2.Testing;

/// <summary>
/// A real Orthanc (Debian's package, with the DICOMweb and GDCM plugins) as a throw-away PACS on free loopback
/// ports, storage in a temp folder. Ready in a few seconds. TCP_NODELAY is set, or loopback C-STORE crawls.
/// </summary>
public sealed class OrthancPeer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/Orthanc";
    public const string PluginFolder = "/usr/share/orthanc/plugins";
    private readonly BackgroundProcess _process;
    private readonly string _root;

    private OrthancPeer(BackgroundProcess process, string root, string aeTitle, int dicomPort, int httpPort)
    {
        this._process = process;
        this._root = root;
        AeTitle = aeTitle;
        DicomPort = dicomPort;
        HttpPort = httpPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string AeTitle { get; }

    public int DicomPort { get; }

    public int HttpPort { get; }

    /// <summary>Orthanc's REST API; DICOMweb is under <c>dicom-web/</c>.</summary>
    public HttpClient Http { get; }

    public string Output => _process.Output;

    /// <summary>The CPU time Orthanc has used so far (<see cref="BackgroundProcess.ProcessorTime"/>).</summary>
    public TimeSpan ProcessorTime => _process.ProcessorTime;

    /// <param name="modalities">DICOM peers Orthanc may send to (C-MOVE destinations), by AE title.</param>
    /// <param name="dicomPort">The DICOM port to listen on (a PACS that comes up where a sender already points); null: a free one.</param>
    public static async Task<OrthancPeer> StartAsync(IReadOnlyDictionary<string, (string Host, int Port)>? modalities = null,
        string aeTitle = "ORTHANC", int? dicomPort = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"Orthanc is not installed ({Executable}): run ./cl2 test, which installs it.");
        }
        var root = Directory.CreateTempSubdirectory("cl2-orthanc-").FullName;
        var (port, httpPort) = (dicomPort ?? FreePort.Next(), FreePort.Next());
        var configuration = new JsonObject
        {
            ["Name"] = "cl2-test-pacs",
            ["StorageDirectory"] = Path.Combine(root, "storage"),
            ["IndexDirectory"] = Path.Combine(root, "index"),
            ["HttpPort"] = httpPort,
            ["DicomPort"] = port,
            ["DicomAet"] = aeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = false,
            ["DicomAlwaysAllowEcho"] = true,
            ["DicomAlwaysAllowStore"] = true,
            ["StableAge"] = 1,
            // Orthanc gives up on a C-STORE answer after 10 s by default; a listener on a machine at load 100 took longer.
            ["DicomScuTimeout"] = 120,
            ["Plugins"] = new JsonArray(
                JsonValue.Create(Path.Combine(PluginFolder, "libOrthancDicomWeb.so")),
                JsonValue.Create(Path.Combine(PluginFolder, "libOrthancGdcm.so"))),
            ["DicomWeb"] = new JsonObject { ["Enable"] = true, ["Root"] = "/dicom-web/" },
            ["DicomModalities"] = new JsonObject((modalities ?? new Dictionary<string, (string, int)>())
                .Select(modality => KeyValuePair.Create<string, JsonNode?>(modality.Key,
                    new JsonArray(JsonValue.Create(modality.Key), JsonValue.Create(modality.Value.Host), JsonValue.Create(modality.Value.Port))))),
        };
        var configurationPath = Path.Combine(root, "orthanc.json");
        await File.WriteAllTextAsync(configurationPath, configuration.ToJsonString(), cancellationToken).ConfigureAwait(false);
        var process = BackgroundProcess.Start("Orthanc", Executable, [configurationPath],
            new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }, root);
        var peer = new OrthancPeer(process, root, aeTitle, port, httpPort);
        await peer.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        return peer;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Orthanc exited during start-up:\n{_process.Output}");
            }
            try
            {
                using var response = await Http.GetAsync(new Uri("system", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"Orthanc did not answer on port {HttpPort} within 60 s:\n{_process.Output}");
    }

    /// <summary>Adds (or moves) a DICOM peer Orthanc may send to, while it runs: a C-MOVE destination that binds port 0 is known only once it listens.</summary>
    public async Task SetModalityAsync(string aeTitle, string host, int port, CancellationToken cancellationToken = default)
    {
        var modality = new JsonObject { ["AET"] = aeTitle, ["Host"] = host, ["Port"] = port };
        using var content = new StringContent(modality.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync(new Uri($"modalities/{aeTitle}", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Orthanc refused modality {aeTitle}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }
    }

    /// <summary>The SOP Instance UIDs Orthanc holds.</summary>
    public async Task<IReadOnlyList<string>> InstanceUidsAsync(CancellationToken cancellationToken = default)
    {
        var ids = await Http.GetFromJsonAsync<string[]>(new Uri("instances", UriKind.Relative), cancellationToken).ConfigureAwait(false) ?? [];
        var uids = new List<string>();
        foreach (var id in ids)
        {
            var tags = await Http.GetFromJsonAsync<JsonElement>(new Uri($"instances/{id}/simplified-tags", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            uids.Add(tags.GetProperty("SOPInstanceUID").GetString()!);
        }
        return uids;
    }

    /// <summary>Stores the files in Orthanc (REST upload, as a modality would have sent them to the PACS); the Orthanc
    /// ids of the studies they make.</summary>
    public async Task<IReadOnlyList<string>> UploadAsync(IEnumerable<string> files, CancellationToken cancellationToken = default)
    {
        var studies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
            using var uploaded = await Http.PostAsync(new Uri("instances", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            var answer = await uploaded.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!uploaded.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Orthanc refused {file}: {answer}");
            }
            studies.Add(JsonDocument.Parse(answer).RootElement.GetProperty("ParentStudy").GetString()!);
        }
        return [.. studies];
    }

    /// <summary>Orthanc sends studies it holds to the modality <paramref name="aeTitle"/> by C-STORE (REST
    /// <c>/modalities/{aeTitle}/store</c>, synchronous); returns when the last instance has left Orthanc (the job answered).</summary>
    /// <param name="orthancStudyIds">Several studies go in one store job, one after another on one association.</param>
    public async Task StoreAsync(string aeTitle, IReadOnlyList<string> orthancStudyIds, CancellationToken cancellationToken = default)
    {
        using var body = new StringContent(JsonSerializer.Serialize(new { Resources = orthancStudyIds, Synchronous = true }));
        using var sent = await Http.PostAsync(new Uri($"modalities/{aeTitle}/store", UriKind.Relative), body, cancellationToken).ConfigureAwait(false);
        if (!sent.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Orthanc could not send {string.Join(", ", orthancStudyIds)} to {aeTitle}: {await sent.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }
    }

    /// <summary>The Orthanc ids of the SEG and SR instances of the study (one query: what a poll asks).</summary>
    public async Task<IReadOnlyList<string>> ResultIdsAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        using var query = new StringContent(JsonSerializer.Serialize(new { Level = "Series", Expand = true, Query = new { StudyInstanceUID = studyInstanceUid } }));
        using var found = await Http.PostAsync(new Uri("tools/find", UriKind.Relative), query, cancellationToken).ConfigureAwait(false);
        found.EnsureSuccessStatusCode();
        var series = JsonDocument.Parse(await found.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement;
        return [.. series.EnumerateArray()
            .Where(item => item.GetProperty("MainDicomTags").TryGetProperty("Modality", out var modality) && modality.GetString() is "SEG" or "SR")
            .SelectMany(item => item.GetProperty("Instances").EnumerateArray().Select(id => id.GetString()!))];
    }

    /// <summary>The instances of <paramref name="studyInstanceUid"/> whose modality is SEG or SR (the results a PACS was
    /// sent), with their bytes as Orthanc stores them.</summary>
    public async Task<IReadOnlyList<DeliveredInstance>> ResultsAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        var results = new List<DeliveredInstance>();
        foreach (var id in await ResultIdsAsync(studyInstanceUid, cancellationToken).ConfigureAwait(false))
        {
            var tags = await Http.GetFromJsonAsync<JsonElement>(new Uri($"instances/{id}/simplified-tags", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            var bytes = await Http.GetByteArrayAsync(new Uri($"instances/{id}/file", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            results.Add(new DeliveredInstance(tags.GetProperty("Modality").GetString()!, tags.GetProperty("SOPInstanceUID").GetString()!,
                tags.GetProperty("SeriesInstanceUID").GetString()!, tags.GetProperty("StudyInstanceUID").GetString()!, bytes));
        }
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_root, recursive: true);
    }
}
