using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.EndToEnd.ScaleOut;

/// <summary>
/// Two labeling processes on one PostgreSQL and one blob store, a real Orthanc as the PACS (docs/deploy.md, "Labeling
/// replicas"): an import runs on the replica that holds its lease; when that replica is SIGKILLed mid-import, the other
/// takes it over once the lease runs out and finishes it, every study archived and counted once.
/// </summary>
public sealed class PacsImportTakeoverTests
{
    private const string CallingAeTitle = "CL2SCU";
    private const int Studies = 6;
    private const int InstancesPerStudy = 2;
    private const string ImportFields = "id status holder leaseExpiresAt studiesImported instancesFetched instancesSkipped casesAdded failureReason studies { studyInstanceUid }";

    [Fact]
    public async Task an_import_whose_replica_is_killed_mid_import_is_finished_by_the_other_replica_with_every_study_once()
    {
        var root = Directory.CreateTempSubdirectory("cl2-e2e-pacs-takeover-").FullName;
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)> { [CallingAeTitle] = ("127.0.0.1", FreePort.Next()) });
        string[] studies = [.. Enumerable.Range(0, Studies).Select(_ => Cl2.Dicom.Coding.NameBasedUid.For($"pacs-takeover/{Guid.NewGuid()}"))];
        var files = new List<string>();
        foreach (var study in studies)
        {
            for (var number = 1; number <= InstancesPerStudy; number++)
            {
                files.Add(Path.Combine(root, $"{files.Count}.dcm"));
                await File.WriteAllBytesAsync(files[^1], ArchivedStudies.Instance(study, number));
            }
        }
        await orthanc.UploadAsync(files);
        // Replica A reaches the PACS through a relay that hangs from the fifth association on: it records a study or two
        // (each takes a C-FIND and a C-GET association) and then stalls inside the import.
        await using var proxy = new StallingPacsProxy(orthanc.DicomPort, relayed: 4);
        var blobs = Path.Combine(root, "blobs");
        Dictionary<string, string> Settings(string replica, int pacsPort) => new(PlatformLauncher.HeaderIdentity)
        {
            ["Blobs__Root"] = blobs,
            ["Pacs__Host"] = "127.0.0.1",
            ["Pacs__Port"] = pacsPort.ToString(CultureInfo.InvariantCulture),
            ["Pacs__AeTitle"] = orthanc.AeTitle,
            ["Pacs__CallingAeTitle"] = CallingAeTitle,
            ["Pacs__Imports__Replica"] = replica,
            ["Pacs__Imports__LeaseSeconds"] = "6",
            ["Pacs__Imports__RescueIntervalSeconds"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Cl2.Labeling.Cohorts"] = "Information",
        };
        var launcherA = new PlatformLauncher(Path.Combine(root, "labeling-a"), postgres.ConnectionString);
        var launcherB = new PlatformLauncher(Path.Combine(root, "labeling-b"), postgres.ConnectionString);
        using var httpA = new HttpClient { BaseAddress = new Uri(launcherA.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
        using var httpB = new HttpClient { BaseAddress = new Uri(launcherB.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
        var a = await launcherA.StartAsync(PlatformLauncher.Labeling, Settings("labeling-a", proxy.Port), name: "labeling-a");
        BackgroundProcess? b = null;
        try
        {
            // One after the other, so that the import starts on A (the replica whose way to the PACS stalls).
            await Eventually.IsTrueAsync(() => ReadyAsync(httpA), [a], "labeling-a ready", timeoutSeconds: 180);
            b = await launcherB.StartAsync(PlatformLauncher.Labeling, Settings("labeling-b", orthanc.DicomPort), name: "labeling-b");
            await Eventually.IsTrueAsync(() => ReadyAsync(httpB), [a, b], "labeling-b ready", timeoutSeconds: 180);
            var datasetId = (await GraphQLAsync(httpA, "mutation { createDataset(input: { name: \"takeover\", research: false }) { id } }"))
                .GetProperty("createDataset").GetProperty("id").GetString();

            var started = (await GraphQLAsync(httpA, $"mutation($input: ImportFromPacsInput!) {{ importFromPacs(input: $input) {{ {ImportFields} }} }}",
                new { input = new { datasetId, studyInstanceUids = studies } })).GetProperty("importFromPacs");
            var importId = started.GetProperty("id").GetString()!;
            // Started and claimed by A in one commit: B's rescuer, looking every second, finds it held and leaves it to A.
            Assert.Equal("labeling-a", started.GetProperty("holder").GetString());
            // Killed within a poll of the stall, long before A's wait for the PACS's answer (ARTIM) would end the import.
            await Eventually.IsTrueAsync(() => Task.FromResult(proxy.Stalled.IsCompleted), [a, b], "labeling-a to stall on the PACS", timeoutSeconds: 180);

            var before = await ImportAsync(httpB, importId);
            await a.DisposeAsync(); // SIGKILL, as a node failure would

            Assert.Equal(("RUNNING", "labeling-a"), (before.GetProperty("status").GetString(), before.GetProperty("holder").GetString()));
            Assert.InRange(before.GetProperty("studiesImported").GetInt32(), 1, Studies - 1);
            await Eventually.IsTrueAsync(async () => (await ImportAsync(httpB, importId)).GetProperty("status").GetString() != "RUNNING", [b],
                "labeling-b to take the import over and finish it", timeoutSeconds: 180);
            var finished = await ImportAsync(httpB, importId);
            Assert.Equal(("COMPLETED", null), (finished.GetProperty("status").GetString(), finished.GetProperty("failureReason").GetString()));
            Assert.Equal(JsonValueKind.Null, finished.GetProperty("holder").ValueKind);
            Assert.Equal((Studies, Studies * InstancesPerStudy, 0, Studies),
                (finished.GetProperty("studiesImported").GetInt32(), finished.GetProperty("instancesFetched").GetInt32(),
                    finished.GetProperty("instancesSkipped").GetInt32(), finished.GetProperty("casesAdded").GetInt32()));
            Assert.Equal(studies.Order(StringComparer.Ordinal),
                finished.GetProperty("studies").EnumerateArray().Select(study => study.GetProperty("studyInstanceUid").GetString()!).Order(StringComparer.Ordinal));
            foreach (var study in studies)
            {
                Assert.Equal(InstancesPerStudy, await ArchivedInstancesAsync(httpB, study));
            }
            Assert.Contains($"Took over PACS import {importId} from labeling-a", b.Output, StringComparison.Ordinal);
        }
        finally
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
        Directory.Delete(root, recursive: true);
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<JsonElement> ImportAsync(HttpClient http, string importId) =>
        (await GraphQLAsync(http, $"query($id: ID!) {{ pacsImport(id: $id) {{ {ImportFields} }} }}", new { id = importId })).GetProperty("pacsImport");

    /// <summary>The instances of the study labeling's archive holds, each counted once by its SOP Instance UID (QIDO-RS).</summary>
    private static async Task<int> ArchivedInstancesAsync(HttpClient http, string study)
    {
        using var response = await http.GetAsync(new Uri($"dicomweb/studies/{study}/instances", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var uids = JsonDocument.Parse(body).RootElement.EnumerateArray()
            .Select(instance => instance.GetProperty("00080018").GetProperty("Value")[0].GetString()).ToList();
        Assert.Equal(uids.Count, uids.Distinct().Count());
        return uids.Count;
    }

    private static async Task<JsonElement> GraphQLAsync(HttpClient http, string query, object? variables = null)
    {
        using var response = await http.PostAsJsonAsync(new Uri("graphql", UriKind.Relative), new { query, variables });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.TryGetProperty("errors", out var errors), $"{query}: {errors}");
        return body.GetProperty("data").Clone();
    }
}
