using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Text.Json.Nodes;
using Cl2.Labeling.Cohorts;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>C-MOVE into our storage SCP, and retrieving only the series a series description chose.</summary>
public sealed partial class PacsImportTests
{
    /// <summary>Tells Orthanc where the host's storage SCP listens (it bound port 0).</summary>
    private async Task<int> RegisterMoveDestinationAsync(Api api)
    {
        var port = api.Host.Services.GetRequiredService<PacsStorageScp>().Port;
        await pacs.Orthanc.SetModalityAsync(PacsFixture.MoveDestination, "127.0.0.1", port);
        return port;
    }

    private static async Task<JsonNode> ImportAsync(Api api, object input)
    {
        var started = (await api.RunAsync($"mutation($input: ImportFromPacsInput!) {{ importFromPacs(input: $input) {{ {ImportFields} }} }}",
            new { input }))["importFromPacs"]!;
        Assert.Equal("RUNNING", started["status"]!.GetValue<string>());
        return await WaitAsync(api, started["id"]!.GetValue<string>());
    }

    private static async Task<string[]> ArchivedUidsAsync(Api api, string study) =>
        [.. (await api.ArchivedAsync(study)).Select(instance => instance.SopInstanceUid).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task a_c_move_import_brings_exactly_the_missing_instances_through_our_storage_scp_and_a_rerun_fetches_nothing()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.MoveSettings(blobs));
        await RegisterMoveDestinationAsync(api);
        // One CT instance is in the archive already: the CT study is moved instance by instance, MR whole.
        var http = api.Host.CreateClient();
        http.BaseAddress = new Uri(http.BaseAddress!, "/dicomweb/");
        Assert.Empty((await new Cl2.Dicom.Web.DicomWebClient(http).StoreFilesAsync([pacs.CtPath])).Failed);
        var datasetId = await CreateDatasetAsync(api, research: false);

        var first = await ImportAsync(api, datasetId, pacs.CtStudy, pacs.MrStudy);

        Assert.True(first["status"]!.GetValue<string>() == "COMPLETED", first.ToJsonString());
        Assert.Equal(2, Number(first, "instancesFetched"));
        Assert.Equal(1, Number(first, "instancesSkipped"));
        Assert.Equal(2, Number(first, "casesAdded"));
        foreach (var (study, instances) in pacs.Instances)
        {
            Assert.Equal(instances.Order(StringComparer.Ordinal), await ArchivedUidsAsync(api, study));
        }

        var again = await ImportAsync(api, datasetId, pacs.CtStudy, pacs.MrStudy);

        Assert.Equal("COMPLETED", again["status"]!.GetValue<string>());
        Assert.Equal(0, Number(again, "instancesFetched"));
        Assert.Equal(3, Number(again, "instancesSkipped"));
        Directory.Delete(blobs, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_series_description_in_the_criteria_retrieves_only_that_series_and_its_study_becomes_the_case(bool move)
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, move ? pacs.MoveSettings(blobs) : pacs.Settings(blobs));
        if (move)
        {
            await RegisterMoveDestinationAsync(api);
        }
        var datasetId = await CreateDatasetAsync(api, research: false);
        var criteria = new { seriesDescription = "AXIAL*" };
        var secondCt = pacs.Instances[pacs.CtStudy][1];

        // By criteria alone the MR study does not match; named by UID it is asked about and has no such series.
        var import = move
            ? await ImportAsync(api, new { datasetId, studyInstanceUids = new[] { pacs.CtStudy, pacs.MrStudy }, criteria })
            : await ImportAsync(api, new { datasetId, criteria });

        Assert.True(import["status"]!.GetValue<string>() == "COMPLETED", import.ToJsonString());
        Assert.Equal("AXIAL*", import["seriesDescription"]!.GetValue<string>());
        Assert.Equal(move ? 2 : 1, Number(import, "studiesImported"));
        Assert.Equal(1, Number(import, "instancesFetched"));
        Assert.Equal(1, Number(import, "casesAdded"));
        Assert.Equal([secondCt], await ArchivedUidsAsync(api, pacs.CtStudy));
        Assert.Empty(await api.ArchivedAsync(pacs.MrStudy));
        Assert.Equal([pacs.CtStudy], await CaseStudiesAsync(api, datasetId));

        // The whole study afterwards: only the other series comes, the case is there already.
        var whole = await ImportAsync(api, datasetId, pacs.CtStudy);

        Assert.Equal(1, Number(whole, "instancesFetched"));
        Assert.Equal(1, Number(whole, "instancesSkipped"));
        Assert.Equal(0, Number(whole, "casesAdded"));
        Assert.Equal(pacs.Instances[pacs.CtStudy].Order(StringComparer.Ordinal), await ArchivedUidsAsync(api, pacs.CtStudy));
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task the_storage_scp_refuses_instances_no_import_asked_for_and_callers_other_than_the_pacs()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.MoveSettings(blobs));
        var port = (await RegisterMoveDestinationAsync(api)).ToString(CultureInfo.InvariantCulture);

        // DCMTK names no C-STORE status 0x0124 (Refused: Not Authorized, PS3.7 C.5.21) but prints its code.
        var unasked = await Dcmtk.RunAsync("storescu", ["-v", "-aet", pacs.Orthanc.AeTitle, "-aec", PacsFixture.MoveDestination, "127.0.0.1", port, pacs.CtPath]);
        var stranger = await Dcmtk.RunAsync("storescu", ["-v", "-aet", "STRANGER", "-aec", PacsFixture.MoveDestination, "127.0.0.1", port, pacs.CtPath]);

        Assert.True((unasked.Output + unasked.Error).Contains("Received Store Response (Unknown Status: 0x124)", StringComparison.Ordinal), unasked.Output + unasked.Error);
        Assert.True((stranger.Output + stranger.Error).Contains("Association Rejected", StringComparison.Ordinal), stranger.Output + stranger.Error);
        Assert.Empty(await api.ArchivedAsync(pacs.CtStudy));
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task a_move_destination_the_pacs_does_not_know_fails_the_import_saying_what_to_configure()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.MoveSettings(blobs, moveDestination: "NOSUCHDEST"));
        var datasetId = await CreateDatasetAsync(api, research: false);

        var failed = await ImportAsync(api, datasetId, pacs.MrStudy);

        Assert.Equal("FAILED", failed["status"]!.GetValue<string>());
        Assert.Equal("PACS_FAILED", failed["failureCode"]!.GetValue<string>());
        Assert.Contains("move destination NOSUCHDEST", failed["failureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await api.ArchivedAsync(pacs.MrStudy));
        Directory.Delete(blobs, recursive: true);
    }
}
