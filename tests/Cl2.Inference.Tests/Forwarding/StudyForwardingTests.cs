using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cl2.Dicom.Web;
using Cl2.Inference.Tests.Listener;

namespace Cl2.Inference.Tests.Forwarding;

/// <summary>
/// The inference process, DCMTK's storescu, the labeling process and PostgreSQL, all real: studies the listener
/// acknowledged reach labeling's archive byte for byte and become one StudyReceived fact each, whatever happens to
/// labeling or to inference on the way.
/// </summary>
public sealed partial class StudyForwardingTests
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task studies_from_storescu_reach_the_archive_byte_for_byte_as_one_fact_each_and_a_later_instance_updates_it()
    {
        // A study labeling refuses (its Study Instance UID is no UID) waits on its own; the others go on.
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var inference = await platform.StartInferenceAsync();
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");
        var mr = await platform.CorpusCopyAsync("MR_small.dcm");
        var refused = await platform.CorpusCopyAsync("SC_rgb_small_odd.dcm", studyInstanceUid: "1.2.3.not-a-uid");

        await platform.StoreScuAsync(ct.Path, mr.Path, refused.Path);
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()) is { Pending: 1, Forwarded: >= 2 } forwarding
            && forwarding.Studies.Single() is { State: "refused" or "stuck" } study && study.Uid == refused.Study && study.LastError!.Contains("is not a DICOM UID", StringComparison.Ordinal),
            "CT and MR forwarded, the third study refused", inference, labeling);

        foreach (var sent in new[] { ct, mr })
        {
            await platform.AssertArchivedUnchangedAsync(sent);
            Assert.Equal((1, "inference"), await platform.ReceivedStudyAsync(sent.Study));
        }
        var later = await platform.CorpusCopyAsync("CT_small.dcm", newSopInstanceUid: ct.SopInstance + ".2");
        await platform.StoreScuAsync(later.Path);
        await platform.UntilAsync(async () => (await platform.ReceivedStudyAsync(ct.Study)).InstanceCount == 2, "the CT study's count to grow", inference, labeling);
        await platform.AssertArchivedUnchangedAsync(later);
        Assert.Equal(2, (await platform.Archive.SearchInstancesAsync(ct.Study)).Count);
        Assert.Equal((2, 1), (await platform.EventCountAsync(postgres, "study_received"), await platform.EventCountAsync(postgres, "study_receipt_updated")));
    }

    [Fact]
    public async Task studies_received_while_labeling_is_down_wait_through_a_sigkill_and_are_forwarded_once_when_it_is_up()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new Platform();
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");
        var mr = await platform.CorpusCopyAsync("MR_small.dcm");

        var inference = await platform.StartInferenceAsync();
        await platform.StoreScuAsync(ct.Path, mr.Path);
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()) is { Pending: 2, LastError: not null }, "labeling's failure reported", inference);
        await platform.UntilAsync(async () => await platform.ForwardingHealthAsync() == "Degraded", "the forwarding health check degraded", inference);
        await platform.KillAsync(inference); // SIGKILL with the backlog on disk

        inference = await platform.StartInferenceAsync();
        Assert.Equal(2, (await platform.ForwardingAsync()).Pending);
        var labeling = await platform.StartLabelingAsync(postgres);
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()) is { Pending: 0 }, "the backlog forwarded", inference, labeling);
        Assert.Equal("Healthy", await platform.ForwardingHealthAsync());
        await platform.KillAsync(inference);

        // The ledger lost: inference sends everything again, and labeling must take it without a second effect.
        File.Delete(Path.Combine(platform.Storage, "forwarding", "ledger"));
        inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()) is { Pending: 0, Forwarded: 2 }, "everything forwarded again", inference, labeling);

        foreach (var sent in new[] { ct, mr })
        {
            await platform.AssertArchivedUnchangedAsync(sent);
            Assert.Equal((1, "inference"), await platform.ReceivedStudyAsync(sent.Study));
            Assert.Single(await platform.Archive.SearchInstancesAsync(sent.Study));
        }
        Assert.Equal((2, 0), (await platform.EventCountAsync(postgres, "study_received"), await platform.EventCountAsync(postgres, "study_receipt_updated")));
    }

    private sealed record Sent(string Path, string Study, string Series, string SopInstance);

    private sealed record PendingStudy(string Uid, string State, int Attempts, string? LastError);

    private sealed record Forwarding(int Pending, long Forwarded, string? LastError, IReadOnlyList<PendingStudy> Studies);

    /// <summary>Ports, folders and clients of one test's inference and labeling processes; disposing it kills those still running.</summary>
    private sealed class Platform : IAsyncDisposable
    {
        private readonly List<BackgroundProcess> _running = [];
        private readonly string _root = Directory.CreateTempSubdirectory("cl2-forwarding-").FullName;
        private readonly string _labelingUrl = $"http://127.0.0.1:{FreePort.Next()}/";
        private readonly string _inferenceUrl = $"http://127.0.0.1:{FreePort.Next()}/";
        private readonly int _dicomPort = FreePort.Next();
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { { "X-Cl2-User", "forwarding-test" }, { "X-Cl2-Roles", "service" } } };

        private readonly HttpClient _archiveHttp;

        public Platform()
        {
            _archiveHttp = new HttpClient { BaseAddress = new Uri(_labelingUrl + "dicomweb/"), Timeout = TimeSpan.FromSeconds(30) };
            Archive = new DicomWebClient(_archiveHttp);
        }

        public string Storage => Path.Combine(_root, "inference");

        public DicomWebClient Archive { get; }

        public async Task<BackgroundProcess> StartLabelingAsync(PostgresCluster postgres)
        {
            var labeling = await new PlatformLauncher(_root, postgres.ConnectionString).StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
            {
                // Labeling takes its callers from the X-Cl2-User / X-Cl2-Roles headers inference sends.
                ["Urls"] = _labelingUrl,
                ["Blobs__Root"] = Path.Combine(_root, "blobs"),
                ["Logging__LogLevel__Default"] = "Warning",
            });
            _running.Add(labeling);
            await UntilAsync(async () => await StatusAsync(_labelingUrl + "health/ready") == HttpStatusCode.OK, "labeling ready", labeling);
            return labeling;
        }

        /// <param name="settings">More environment variables for inference (or ones replacing these).</param>
        public async Task<BackgroundProcess> StartInferenceAsync(params (string Key, string Value)[] settings)
        {
            var environment = new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
            {
                // Development: the inference API takes its callers from the X-Cl2-User / X-Cl2-Roles headers _http sends.
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Urls"] = _inferenceUrl,
                ["Inference__Forwarding__LabelingUrl"] = _labelingUrl,
                ["Inference__Forwarding__QuietPeriod"] = "00:00:01",
                ["Inference__Forwarding__PollInterval"] = "00:00:00.200",
                ["Inference__Forwarding__MaxRetryDelay"] = "00:00:01",
                ["Inference__Forwarding__BacklogDegradedAfter"] = "00:00:02",
            };
            foreach (var (key, value) in settings)
            {
                environment[key] = value;
            }
            var inference = await ListenerProcess.StartAsync(Storage, _dicomPort, ReadyWithin, environment);
            _running.Add(inference);
            await UntilAsync(async () => await StatusAsync(_inferenceUrl + "health/live") == HttpStatusCode.OK, "inference's HTTP endpoint", inference);
            return inference;
        }

        /// <summary>A DCMTK-encoded copy of a corpus file (optionally under a new SOP Instance UID) and its UIDs.</summary>
        public async Task<Sent> CorpusCopyAsync(string name, string? newSopInstanceUid = null, string? studyInstanceUid = null)
        {
            var folder = Directory.CreateDirectory(Path.Combine(_root, "sent-" + Guid.NewGuid().ToString("N"))).FullName;
            var path = await Corpus.DcmtkEncodedCopyAsync(name, folder);
            if (newSopInstanceUid is not null)
            {
                (await Dcmtk.RunAsync("dcmodify", ["-nb", "-m", $"(0008,0018)={newSopInstanceUid}", path])).EnsureSuccess("dcmodify");
            }
            if (studyInstanceUid is not null)
            {
                (await Dcmtk.RunAsync("dcmodify", ["-nb", "-m", $"(0020,000D)={studyInstanceUid}", path])).EnsureSuccess("dcmodify");
            }
            var dump = await Dcmtk.RunAsync("dcm2json", [path]);
            var json = JsonDocument.Parse(dump.EnsureSuccess("dcm2json").Output).RootElement;
            string Uid(string tag) => json.GetProperty(tag).GetProperty("Value")[0].GetString()!;
            return new Sent(path, Uid("0020000D"), Uid("0020000E"), Uid("00080018"));
        }

        public async Task StoreScuAsync(params string[] paths) =>
            (await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", _dicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. paths]))
                .EnsureSuccess("storescu");

        public async Task<Forwarding> ForwardingAsync()
        {
            var status = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_inferenceUrl + "api/inference/forwarding"))).RootElement;
            return new Forwarding(status.GetProperty("pendingStudies").GetInt32(), status.GetProperty("forwardedStudiesSinceStart").GetInt64(),
                status.GetProperty("lastError").GetString(),
                status.GetProperty("studies").GetProperty("items").EnumerateArray().Select(study => new PendingStudy(study.GetProperty("studyInstanceUid").GetString()!,
                    study.GetProperty("state").GetString()!, study.GetProperty("attempts").GetInt32(), study.GetProperty("lastError").GetString())).ToList());
        }

        public async Task<string> ForwardingHealthAsync() => (await ForwardingCheckAsync()).Status;

        /// <summary>The forwarding check of /health/ready: its status and what it says.</summary>
        public async Task<(string Status, string Description)> ForwardingCheckAsync()
        {
            using var response = await _http.GetAsync(new Uri(_inferenceUrl + "health/ready"));
            var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var check = health.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == "forwarding");
            return (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString()!);
        }

        /// <summary>WADO-RS of the instance from labeling's archive: its data set is byte for byte what storescu sent.</summary>
        public async Task AssertArchivedUnchangedAsync(Sent sent)
        {
            var archived = Path.Combine(_root, "archived-" + sent.SopInstance + ".dcm");
            await File.WriteAllBytesAsync(archived, await Archive.RetrieveInstanceAsync(sent.Study, sent.Series, sent.SopInstance));
            Assert.Equal(await Corpus.DataSetBytesAsync(sent.Path), await Corpus.DataSetBytesAsync(archived));
        }

        /// <summary>How many receipts labeling holds for the study (one, or none), and its instance count and who reported it.</summary>
        public async Task<(int InstanceCount, string ReceivedBy)> ReceivedStudyAsync(string study)
        {
            using var response = await _http.PostAsJsonAsync(new Uri(_labelingUrl + "graphql"), new
            {
                query = "query($study: String!) { receivedStudies(study: $study) { instanceCount receivedBy } }",
                variables = new { study },
            });
            var receipts = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("receivedStudies");
            var receipt = Assert.Single(receipts.EnumerateArray().ToList());
            return (receipt.GetProperty("instanceCount").GetInt32(), receipt.GetProperty("receivedBy").GetString()!);
        }

        /// <summary>Events of a type in labeling's event store, counted by PostgreSQL itself.</summary>
        public async Task<int> EventCountAsync(PostgresCluster postgres, string eventType)
        {
            var result = await ProcessRunner.RunAsync(Path.Combine(PostgresCluster.BinDirectory, "psql"),
                ["-h", "127.0.0.1", "-p", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-Atc",
                    $"select count(*) from cl2.mt_events where type = '{eventType}'"]);
            return int.Parse(result.EnsureSuccess("psql").Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async Task UntilAsync(Func<Task<bool>> condition, string what, params BackgroundProcess[] processes)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (true)
            {
                try
                {
                    if (await condition())
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException or JsonException)
                {
                    // Not answering yet, or not with that yet.
                }
                if (processes.FirstOrDefault(process => process.HasExited) is { } exited)
                {
                    Assert.Fail($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
                }
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"timed out waiting for {what}:\n" + string.Join("\n", processes.Select(process => $"--- {process.Name}\n{process.Output}")));
                }
                await Task.Delay(200);
            }
        }

        private async Task<HttpStatusCode?> StatusAsync(string url)
        {
            using var response = await _http.GetAsync(new Uri(url));
            return response.StatusCode;
        }

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
            _archiveHttp.Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }
}
