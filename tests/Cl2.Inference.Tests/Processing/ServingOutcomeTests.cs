using Cl2.Dicom;
using Cl2.Inference.Tests.Forwarding;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>Studies or versions the routed workload cannot run, through the running service: each a recorded failure naming
/// the version and the workload's reason, never an exception in the log.</summary>
public sealed class ServingOutcomeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-serving-outcomes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_promoted_version_whose_manifest_does_not_fit_the_routed_workload_is_recorded_as_manifest_mismatch_naming_the_version()
    {
        var (study, _) = await SeededModel.CaseAndModelAsync(Path.Combine(_root, "liver"), WorkloadTask.LiverCt);
        var (_, brainModel) = await SeededModel.CaseAndModelAsync(Path.Combine(_root, "brain"), WorkloadTask.BrainMri);

        // A brain model's checkpoint registered as a version of a liver-ct model: labeling cannot see inside the blob.
        var outcome = await ServeAsync(brainModel, Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm"));

        Assert.True(outcome.Node.GetProperty("failure").GetString() == "MANIFEST_MISMATCH", outcome.Node.ToString());
        Assert.Equal(outcome.VersionId, outcome.Node.GetProperty("versionId").GetString());
        Assert.Contains("MANIFEST_DOES_NOT_FIT", outcome.Node.GetProperty("failureReason").GetString());
    }

    [Fact]
    public async Task a_series_with_uneven_slice_spacing_is_recorded_as_unusable_volume_naming_the_version()
    {
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm").Order(StringComparer.Ordinal).ToList();
        slices.RemoveAt(slices.Count / 2); // a missing middle slice: twice the spacing at one place

        var outcome = await ServeAsync(model, [.. slices]);

        Assert.True(outcome.Node.GetProperty("failure").GetString() == "UNUSABLE_VOLUME", outcome.Node.ToString());
        Assert.Equal(outcome.VersionId, outcome.Node.GetProperty("versionId").GetString());
        Assert.Contains("SERIES_NOT_A_VOLUME", outcome.Node.GetProperty("failureReason").GetString());
    }

    [Fact]
    public async Task a_series_with_a_slice_of_another_orientation_is_recorded_as_unusable_volume_naming_the_version()
    {
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        Change(slices[slices.Length / 2], dataset => dataset.SetValues(DicomTags.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 0.0, -1.0)); // coronal among axials

        var outcome = await ServeAsync(model, slices);

        Assert.True(outcome.Node.GetProperty("failure").GetString() == "UNUSABLE_VOLUME", outcome.Node.ToString());
        Assert.Equal(outcome.VersionId, outcome.Node.GetProperty("versionId").GetString());
        Assert.Contains("SERIES_NOT_A_VOLUME", outcome.Node.GetProperty("failureReason").GetString());
    }

    /// <summary>An instance whose data set parses (the listener stores it) but whose pixel data is half what its rows and
    /// columns need.</summary>
    [Fact]
    public async Task a_study_with_an_instance_whose_pixels_cannot_be_decoded_is_recorded_as_corrupt_instance_naming_the_version()
    {
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        Change(slices[3], dataset =>
        {
            var pixels = ((DicomValueElement)dataset.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray();
            dataset.SetBytes(DicomTags.PixelData, DicomVR.OW, pixels[..(pixels.Length / 2)]);
        });

        var outcome = await ServeAsync(model, slices);

        Assert.True(outcome.Node.GetProperty("failure").GetString() == "CORRUPT_INSTANCE", outcome.Node.ToString());
        Assert.Equal(outcome.VersionId, outcome.Node.GetProperty("versionId").GetString());
        Assert.Contains("UNREADABLE_INSTANCE", outcome.Node.GetProperty("failureReason").GetString());
    }

    private static void Change(string path, Action<DicomDataset> change)
    {
        var file = DicomFile.Open(new MemoryStream(File.ReadAllBytes(path)));
        change(file.Dataset);
        file.Save(path);
    }

    /// <summary><paramref name="model"/> promoted as version 1 of a liver-ct model that a CT rule routes to, the
    /// <paramref name="slices"/> sent by storescu, and the study's recorded outcome; inference logged no exception.</summary>
    private static async Task<(System.Text.Json.JsonElement Node, string VersionId)> ServeAsync(string model, string[] slices)
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var versionId = await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "liver CT", priority = 1, workload = "liver-ct", modelName = "liver", modality = "CT", expectedVersion = 0 } });
        var inference = await ModelServingTests.StartServingAsync(platform);
        var studyUid = DicomFile.Open(slices[0]).Dataset.GetString(DicomTags.StudyInstanceUID);

        await platform.StoreScuAsync(slices);
        var outcome = await ModelServingTests.OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.False(inference.Output.Contains("\"Exception\":", StringComparison.Ordinal), $"inference logged an exception:\n{inference.Output}");
        return (outcome, versionId);
    }
}
