using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using Cl2.Dicom;
using Cl2.Labeling.Archive;
using Cl2.Labeling.Blobs;
using Cl2.Labeling.Tests.Archive;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>Cohort acquisition: pacsStudies and importFromPacs against a real Orthanc and a real PostgreSQL.</summary>
public sealed partial class PacsImportTests(PacsFixture pacs) : IClassFixture<PacsFixture>
{
    private sealed class Api(PostgresCluster postgres, IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
    {
        public LabelingHost Host { get; } = new(postgres, settings: settings);

        public HttpClient Client => _client ??= Host.CreateClient();

        private HttpClient? _client;

        public Task<GraphQLResponse> PostAsync(string query, object? variables = null) => LabelingApi.PostAsync(Client, query, variables);

        public async Task<JsonNode> RunAsync(string query, object? variables = null)
        {
            var response = await PostAsync(query, variables);
            Assert.True(response.Errors is null, $"GraphQL errors: {response.Body}");
            return response.Data!;
        }

        public async Task<IReadOnlyList<ArchivedInstance>> ArchivedAsync(string study) =>
            await Host.Services.GetRequiredService<ArchiveIndex>().FindAsync(study, null, null, CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            _client?.Dispose();
            await Host.DisposeAsync();
        }
    }

    private const string ImportFields = "id status studiesImported instancesFetched instancesSkipped casesAdded failureCode failureReason seriesDescription";

    private static async Task<string> CreateDatasetAsync(Api api, bool research) =>
        (await api.RunAsync("mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }",
            new { input = new { name = "pacs cohort", research } }))["createDataset"]!["id"]!.GetValue<string>();

    private static async Task<JsonNode> ImportAsync(Api api, string datasetId, params string[] studies)
    {
        var started = (await api.RunAsync($"mutation($input: ImportFromPacsInput!) {{ importFromPacs(input: $input) {{ {ImportFields} }} }}",
            new { input = new { datasetId, studyInstanceUids = studies } }))["importFromPacs"]!;
        return await WaitAsync(api, started["id"]!.GetValue<string>());
    }

    private static async Task<JsonNode> WaitAsync(Api api, string importId)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hang guard, not a timing
        while (true)
        {
            var import = (await api.RunAsync($"query($id: ID!) {{ pacsImport(id: $id) {{ {ImportFields} }} }}", new { id = importId }))["pacsImport"]!;
            if (import["status"]!.GetValue<string>() != "RUNNING")
            {
                return import;
            }
            await Task.Delay(100, guard.Token);
        }
    }

    private static async Task<string[]> CaseStudiesAsync(Api api, string datasetId) =>
        [.. (await api.RunAsync("query($dataset: ID!) { cases(dataset: $dataset) { items { studyInstanceUid } } }", new { dataset = datasetId }))
            ["cases"]!["items"]!.AsArray().Select(node => node!["studyInstanceUid"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

    private static int Number(JsonNode import, string field) => import[field]!.GetValue<int>();

    [Fact]
    public async Task pacs_studies_returns_the_studies_that_match_the_criteria()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.Settings(blobs));

        async Task<string[]> FindAsync(object criteria) =>
            [.. (await api.RunAsync("query($criteria: PacsCriteriaInput!) { pacsStudies(criteria: $criteria) { studyInstanceUid modalitiesInStudy numberOfStudyRelatedInstances } }",
                new { criteria }))["pacsStudies"]!.AsArray().Select(study => study!["studyInstanceUid"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

        Assert.Equal([pacs.CtStudy], await FindAsync(new { modality = "CT" }));
        Assert.Equal([pacs.MrStudy], await FindAsync(new { modality = "MR" }));
        Assert.Equal(new[] { pacs.CtStudy, pacs.MrStudy }.Order(StringComparer.Ordinal), await FindAsync(new { }));
        Assert.Empty(await FindAsync(new { modality = "CT", studyDateFrom = "19000101", studyDateTo = "19000102" }));
        Assert.Equal([pacs.CtStudy], await FindAsync(new { seriesDescription = "AXIAL*" }));
        Assert.Equal([pacs.CtStudy], await FindAsync(new { seriesDescription = PacsFixture.SecondCtSeriesDescription }));
        Assert.Empty(await FindAsync(new { seriesDescription = "SAGITTAL*" }));
        var ctDate = DicomFile.Open(pacs.CtPath).Dataset.GetString(DicomTags.StudyDate);
        Assert.Equal([pacs.CtStudy], await FindAsync(new { studyDateFrom = ctDate, studyDateTo = ctDate }));
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task import_brings_exactly_the_instances_in_adds_the_cases_and_a_rerun_fetches_nothing_twice()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.Settings(blobs));
        // One CT instance is in the archive already (stored by STOW-RS): the import must fetch only the other one.
        var http = api.Host.CreateClient();
        http.BaseAddress = new Uri(http.BaseAddress!, "/dicomweb/");
        Assert.Empty((await new Cl2.Dicom.Web.DicomWebClient(http).StoreFilesAsync([pacs.CtPath])).Failed);
        var datasetId = await CreateDatasetAsync(api, research: false);

        var first = await ImportAsync(api, datasetId, pacs.CtStudy, pacs.MrStudy);

        Assert.Equal("COMPLETED", first["status"]!.GetValue<string>());
        Assert.Equal(2, Number(first, "studiesImported"));
        Assert.Equal(2, Number(first, "instancesFetched"));
        Assert.Equal(1, Number(first, "instancesSkipped"));
        Assert.Equal(2, Number(first, "casesAdded"));
        foreach (var (study, instances) in pacs.Instances)
        {
            Assert.Equal(instances.Order(StringComparer.Ordinal), (await api.ArchivedAsync(study)).Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal));
        }
        Assert.Equal(new[] { pacs.CtStudy, pacs.MrStudy }.Order(StringComparer.Ordinal), await CaseStudiesAsync(api, datasetId));
        var storedAt = (await api.ArchivedAsync(pacs.CtStudy)).Select(i => i.BlobDigest).ToArray();

        var again = await ImportAsync(api, datasetId, pacs.CtStudy, pacs.MrStudy);

        Assert.Equal("COMPLETED", again["status"]!.GetValue<string>());
        Assert.Equal(0, Number(again, "instancesFetched"));
        Assert.Equal(3, Number(again, "instancesSkipped"));
        Assert.Equal(0, Number(again, "casesAdded"));
        Assert.Equal(storedAt, (await api.ArchivedAsync(pacs.CtStudy)).Select(i => i.BlobDigest).ToArray());
        Assert.Equal(2, (await CaseStudiesAsync(api, datasetId)).Length);
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task a_subscriber_hears_each_study_an_import_brings_in()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.Settings(blobs));
        var datasetId = await CreateDatasetAsync(api, research: false);
        var client = api.Host.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.SecWebSocketProtocol = "graphql-transport-ws";
        using var socket = await client.ConnectAsync(new Uri(api.Host.Server.BaseAddress, "graphql"), CancellationToken.None);
        await SendAsync(socket, new { type = "connection_init", payload = new { } });
        Assert.Equal("connection_ack", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await SendAsync(socket, new
        {
            id = "1",
            type = "subscribe",
            payload = new { query = "subscription { pacsImportProgress { importId studyInstanceUid instancesFetched instancesSkipped } }" },
        });
        // The server handles a connection's messages in order, so once the pong is back the subscription is registered.
        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(socket))["type"]!.GetValue<string>());

        var import = await ImportAsync(api, datasetId, pacs.MrStudy);

        var message = await ReceiveAsync(socket);
        Assert.Equal("next", message["type"]!.GetValue<string>());
        var progress = message["payload"]!["data"]!["pacsImportProgress"]!;
        Assert.Equal(import["id"]!.GetValue<string>(), progress["importId"]!.GetValue<string>());
        Assert.Equal(pacs.MrStudy, progress["studyInstanceUid"]!.GetValue<string>());
        Assert.Equal(1, Number(progress, "instancesFetched"));
        Directory.Delete(blobs, recursive: true);
    }

    private static Task SendAsync(System.Net.WebSockets.WebSocket socket, object message) =>
        socket.SendAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message), System.Net.WebSockets.WebSocketMessageType.Text, true,
            CancellationToken.None);

    private static async Task<JsonNode> ReceiveAsync(System.Net.WebSockets.WebSocket socket)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        System.Net.WebSockets.WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, guard.Token);
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return JsonNode.Parse(System.Text.Encoding.UTF8.GetString(message.ToArray()))!;
    }

    [Fact]
    public async Task importing_a_study_the_pacs_does_not_have_fails_saying_the_study_is_not_on_the_pacs()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.Settings(blobs));
        var datasetId = await CreateDatasetAsync(api, research: false);

        var failed = await ImportAsync(api, datasetId, "1.2.826.0.1.3680043.99.404");

        Assert.Equal("FAILED", failed["status"]!.GetValue<string>());
        Assert.Equal("PACS_STUDY_NOT_FOUND", failed["failureCode"]!.GetValue<string>());
        Assert.Contains("The PACS has none of the studies 1.2.826.0.1.3680043.99.404", failed["failureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task a_pacs_that_is_down_gives_a_typed_error_and_leaves_an_import_that_resuming_completes()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        string datasetId, importId;
        await using (var down = new Api(postgres, pacs.Settings(blobs, port: FreePort.Next())))
        {
            var query = await down.PostAsync("{ pacsStudies(criteria: { modality: \"CT\" }) { studyInstanceUid } }");
            Assert.Equal("PACS_UNREACHABLE", query.FirstErrorCode);
            Assert.Contains("cannot be reached", query.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

            datasetId = await CreateDatasetAsync(down, research: false);
            var failed = await ImportAsync(down, datasetId, pacs.CtStudy);
            importId = failed["id"]!.GetValue<string>();

            Assert.Equal("FAILED", failed["status"]!.GetValue<string>());
            Assert.Equal("PACS_UNREACHABLE", failed["failureCode"]!.GetValue<string>());
            Assert.Contains("run the import again", failed["failureReason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Empty(await down.ArchivedAsync(pacs.CtStudy));
            Assert.Empty(await CaseStudiesAsync(down, datasetId));
        }
        await using var up = new Api(postgres, pacs.Settings(blobs));
        const string Resume = "mutation($id: ID!) { resumePacsImport(id: $id) { id status failureCode } }";
        Assert.Equal("PACS_IMPORT_NOT_FOUND", (await up.PostAsync(Resume, new { id = Guid.NewGuid() })).FirstErrorCode);

        var resuming = (await up.RunAsync(Resume, new { id = importId }))["resumePacsImport"]!;
        var resumed = await WaitAsync(up, importId);

        Assert.Equal("RUNNING", resuming["status"]!.GetValue<string>());
        Assert.Null(resuming["failureCode"]);
        Assert.Equal("COMPLETED", resumed["status"]!.GetValue<string>());
        Assert.Equal(2, Number(resumed, "instancesFetched"));
        Assert.Equal([pacs.CtStudy], await CaseStudiesAsync(up, datasetId));
        Assert.Equal("INVALID_INPUT", (await up.PostAsync(Resume, new { id = importId })).FirstErrorCode);
        Directory.Delete(blobs, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task an_import_the_service_stopped_in_the_middle_of_is_resumed_at_start_without_fetching_recorded_studies_again(bool move)
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        var importId = Guid.CreateVersion7();
        await using (var before = new Api(postgres, pacs.Settings(blobs)))
        {
            // What a service that died after importing the CT study leaves behind: the stream says RUNNING, one study recorded,
            // and that study in the archive (a stand-in instance here, so that a second fetch of the PACS's would show).
            var datasetId = Guid.Parse(await CreateDatasetAsync(before, research: false));
            await ArchivedStudies.StoreAsync(before.Client, pacs.CtStudy);
            await using var session = before.Host.Services.GetRequiredService<Marten.IDocumentStore>().LightweightSession();
            var now = DateTimeOffset.UtcNow;
            session.Events.StartStream<Labeling.Cohorts.PacsImport>(importId,
                new Labeling.Cohorts.PacsImportStarted(importId, datasetId, [pacs.CtStudy, pacs.MrStudy], false, false, false, "tester", now),
                new Labeling.Cohorts.StudyImported(importId, pacs.CtStudy, pacs.CtStudy, 2, 0, now));
            await session.SaveChangesAsync();
        }
        // By C-MOVE the storage SCP must listen before the resumer moves anything: a port known before the host starts.
        var scpPort = FreePort.Next();
        var settings = move ? pacs.MoveSettings(blobs) : pacs.Settings(blobs);
        settings["Pacs:StorageScpPort"] = scpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await pacs.Orthanc.SetModalityAsync(PacsFixture.MoveDestination, "127.0.0.1", scpPort);
        await using var after = new Api(postgres, settings);

        var resumed = await WaitAsync(after, importId.ToString());

        Assert.Equal("COMPLETED", resumed["status"]!.GetValue<string>());
        Assert.Equal(2, Number(resumed, "studiesImported"));
        Assert.Equal(3, Number(resumed, "instancesFetched"));
        Assert.Equal(2, Number(resumed, "casesAdded"));
        Assert.Equal(pacs.Instances[pacs.MrStudy], (await after.ArchivedAsync(pacs.MrStudy)).Select(i => i.SopInstanceUid).ToArray());
        // The recorded study was not fetched a second time: the archive holds only the stand-in.
        Assert.Equal([ArchivedStudies.SopInstanceUidOf(pacs.CtStudy)], (await after.ArchivedAsync(pacs.CtStudy)).Select(i => i.SopInstanceUid));
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task a_research_dataset_gets_de_identified_instances_under_consistent_pseudonymous_uids()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.Settings(blobs));
        var datasetId = await CreateDatasetAsync(api, research: true);

        var import = await ImportAsync(api, datasetId, pacs.CtStudy);

        Assert.Equal("COMPLETED", import["status"]!.GetValue<string>());
        Assert.Equal(2, Number(import, "instancesFetched"));
        Assert.Empty(await api.ArchivedAsync(pacs.CtStudy));
        var study = Assert.Single(await CaseStudiesAsync(api, datasetId));
        Assert.StartsWith("2.25.", study, StringComparison.Ordinal);
        var mapping = Assert.Single((await api.RunAsync("query($id: ID!) { pacsImport(id: $id) { studies { studyInstanceUid archivedStudyInstanceUid } } }",
            new { id = import["id"]!.GetValue<string>() }))["pacsImport"]!["studies"]!.AsArray())!;
        Assert.Equal((pacs.CtStudy, study), (mapping["studyInstanceUid"]!.GetValue<string>(), mapping["archivedStudyInstanceUid"]!.GetValue<string>()));
        var archived = await api.ArchivedAsync(study);
        Assert.Equal(2, archived.Count);
        var store = api.Host.Services.GetRequiredService<IBlobStore>();
        var patients = new HashSet<string>();
        foreach (var instance in archived)
        {
            await using var content = (await store.OpenReadAsync(BlobDigest.Parse(instance.BlobDigest), CancellationToken.None))!;
            var dataset = DicomFile.Open(content).Dataset;
            Assert.NotEqual(pacs.CtPatientName, dataset.GetString(DicomTags.PatientName));
            Assert.Equal("YES", dataset.GetString(DicomTags.PatientIdentityRemoved).Trim());
            foreach (var uid in new[] { DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.SOPInstanceUID })
            {
                Assert.StartsWith("2.25.", dataset.GetString(uid), StringComparison.Ordinal);
            }
            Assert.DoesNotContain(dataset.GetString(DicomTags.SOPInstanceUID), pacs.Instances[pacs.CtStudy]);
            patients.Add(dataset.GetString(DicomTags.PatientID));
        }
        Assert.Single(patients);

        var again = await ImportAsync(api, datasetId, pacs.CtStudy);

        Assert.Equal(0, Number(again, "instancesFetched"));
        Assert.Equal(2, Number(again, "instancesSkipped"));
        Directory.Delete(blobs, recursive: true);
    }
}
