using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cl2.Dicom;
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
        // A study labeling refuses (more elements than its archive reads, though the listener took it) waits on its own;
        // the others go on.
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new Platform();
        var labeling = await platform.StartLabelingAsync(postgres, Platform.SmallElementLimit);
        var inference = await platform.StartInferenceAsync();
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");
        var mr = await platform.CorpusCopyAsync("MR_small.dcm");
        var refused = await platform.CorpusCopyAsync("SC_rgb_small_odd.dcm", referencedImages: Platform.OverSmallElementLimit);

        await platform.StoreScuAsync(ct.Path, mr.Path, refused.Path);
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()) is { Pending: 1, Forwarded: >= 2 } forwarding
            && forwarding.Studies.Single() is { State: "refused" or "stuck" } study && study.Uid == refused.Study && study.LastError!.Contains(Platform.RefusalOfTooManyElements, StringComparison.Ordinal),
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

    internal sealed record Sent(string Path, string Study, string Series, string SopInstance);

    internal sealed record PendingStudy(string Uid, string State, int Attempts, string? LastError);

    internal sealed record Forwarding(int Pending, long Forwarded, string? LastError, IReadOnlyList<PendingStudy> Studies);

    /// <summary>Ports, folders and clients of one test's inference and labeling processes; disposing it kills those still running.</summary>
    internal sealed class Platform : IAsyncDisposable
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

        /// <summary>Labeling's archive then refuses an instance of more than 1000 elements and items, which the listener takes
        /// (its limit is far higher): a study labeling refuses for a reason an admin can fix.</summary>
        public static readonly (string Key, string Value) SmallElementLimit = ("Archive__MaxDataSetElements", "1000");

        /// <summary>Referenced images (an item of one element each) that put a corpus file over <see cref="SmallElementLimit"/>.</summary>
        public const int OverSmallElementLimit = 1200;

        /// <summary>What inference's forwarding says about a study labeling refused so (every part failed: 409).</summary>
        public const string RefusalOfTooManyElements = "(HTTP 409)";

        /// <param name="settings">More environment variables for labeling.</param>
        public async Task<BackgroundProcess> StartLabelingAsync(PostgresCluster postgres, params (string Key, string Value)[] settings)
        {
            var labeling = await PlatformProcesses.StartLabelingAsync(_root, _labelingUrl, postgres, settings);
            _running.Add(labeling);
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

        /// <summary>A DCMTK-encoded copy of a corpus file (optionally under a new SOP Instance UID, with so many items in
        /// Referenced Image Sequence) and its UIDs.</summary>
        public async Task<Sent> CorpusCopyAsync(string name, string? newSopInstanceUid = null, int referencedImages = 0, string? studyInstanceUid = null)
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
            if (referencedImages > 0)
            {
                // dcmodify creates every item up to the one it names.
                (await Dcmtk.RunAsync("dcmodify", ["-nb", "-i", $"(0008,1140)[{referencedImages - 1}].(0008,1150)={DicomUids.SecondaryCaptureImageStorage.Value}", path]))
                    .EnsureSuccess("dcmodify");
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
        public Task<(string Status, string Description)> ForwardingCheckAsync() => HealthCheckAsync("forwarding");

        /// <summary>One check of inference's /health/ready: its status and what it says.</summary>
        public async Task<(string Status, string Description)> HealthCheckAsync(string name)
        {
            using var response = await _http.GetAsync(new Uri(_inferenceUrl + "health/ready"));
            var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var check = health.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == name);
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

        /// <summary>GraphQL's stuckStudies as anyone signed in sees it: each study's UID, refusals and reason.</summary>
        public async Task<IReadOnlyList<(string Study, int Attempts, string Reason)>> StuckStudiesAsync()
        {
            using var response = await _http.PostAsJsonAsync(new Uri(_labelingUrl + "graphql"), new
            {
                query = "{ stuckStudies(first: 50) { items { studyInstanceUid attempts reason isStuck } } }",
            });
            var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("stuckStudies").GetProperty("items");
            return items.EnumerateArray().Select(item => (item.GetProperty("studyInstanceUid").GetString()!, item.GetProperty("attempts").GetInt32(),
                item.GetProperty("reason").GetString()!)).ToList();
        }

        /// <summary>An admin's POST /api/inference/forwarding/{study}/retry.</summary>
        public async Task RetryAsync(string study)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_inferenceUrl + $"api/inference/forwarding/{study}/retry"));
            request.Headers.Add("X-Cl2-User", "forwarding-admin");
            request.Headers.Add("X-Cl2-Roles", "admin");
            using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await plain.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"retry answered {(int)response.StatusCode}");
        }

        /// <summary>A GraphQL request to labeling as an engineer holding every role; its <c>data</c>, or a failed assertion with its errors.</summary>
        public Task<JsonElement> GraphQLAsync(string query, object? variables = null) => GraphQLAsync("ml-engineer,service", query, variables);

        public async Task<JsonElement> GraphQLAsync(string roles, string query, object? variables)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_labelingUrl + "graphql")) { Content = JsonContent.Create(new { query, variables }) };
            request.Headers.Add("X-Cl2-Roles", roles);
            using var response = await _http.SendAsync(request);
            var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.False(root.TryGetProperty("errors", out var errors), errors.ToString());
            return root.GetProperty("data");
        }

        public string LabelingUrl => _labelingUrl;

        /// <summary>The port inference's DICOM listener serves (a PACS sends to it).</summary>
        public int DicomPort => _dicomPort;

        /// <summary>Events of a type in labeling's event store, counted by PostgreSQL itself.</summary>
        public async Task<int> EventCountAsync(PostgresCluster postgres, string eventType)
        {
            var result = await ProcessRunner.RunAsync(Path.Combine(PostgresCluster.BinDirectory, "psql"),
                ["-h", "127.0.0.1", "-p", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-Atc",
                    $"select count(*) from cl2.mt_events where type = '{eventType}'"]);
            return int.Parse(result.EnsureSuccess("psql").Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public Task UntilAsync(Func<Task<bool>> condition, string what, params BackgroundProcess[] processes) =>
            PlatformProcesses.UntilAsync(condition, what, processes);

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
