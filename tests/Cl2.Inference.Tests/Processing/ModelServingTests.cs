using System.Formats.Tar;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Dicom.Web;
using Cl2.Inference.Tests.Forwarding;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>A promoted model's production version runs on a study sent by storescu: weights from labeling's blob store,
/// the result recorded naming the version, its SEG delivered to labeling's archive.</summary>
public sealed class ModelServingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-serving-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_promoted_liver_model_segments_a_study_from_storescu_as_a_direct_runner_run_does()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (study, model) = await CaseAndModelAsync(WorkloadTask.LiverCt);
        var versionId = await PromotedVersionAsync(platform, model, "liver", "liver-ct");
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "liver CT", priority = 1, workload = "liver-ct", modelName = "liver", modality = "CT", expectedVersion = 0 } });
        var inference = await StartServingAsync(platform, ToTheArchive);
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        var studyUid = DicomFile.Open(slices[0]).Dataset.GetString(DicomTags.StudyInstanceUID);

        await platform.StoreScuAsync(slices);
        var outcome = await OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
        Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.Get("liver-ct"), model, ComputeDevice.Select("cpu"), CancellationToken.None);
        var direct = runner.Run(study);
        var expected = ResultObjects.Write(direct, $"{studyUid}/{versionId}", "v1", DateTimeOffset.Now);
        var segUid = expected.SegmentationContent!.SopInstanceUid;
        Assert.Contains(segUid, outcome.GetProperty("resultUids").EnumerateArray().Select(uid => uid.GetString()));

        var delivered = await DeliveredAsync(platform, studyUid, expected.SegmentationContent.SeriesInstanceUid, segUid, "the SEG in labeling's archive", inference, labeling);
        var sources = slices.Select(path => DicomFile.Open(path).Dataset).ToList();
        var read = SegmentationReader.Read(DicomFile.Open(new MemoryStream(delivered)).Dataset, sources);
        Assert.Equal(direct.Segmentation!.Segments.Count, read.Segments.Count);
        foreach (var (mine, theirs) in direct.Segmentation.Segments.Zip(read.Segments))
        {
            Assert.True(mine.Mask.AsSpan().SequenceEqual(theirs.Voxels), $"segment {mine.Segment.Name} differs from the direct run's");
        }
    }

    /// <summary>Quiet after 1 s but without FLAIR, the study waits for the maximum wait (the brain workload's four series are
    /// required for completeness), then is processed and recorded MISSING_SERIES.</summary>
    [Fact]
    public async Task a_brain_study_without_flair_waits_the_maximum_wait_then_is_recorded_as_missing_series_naming_the_version()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (study, model) = await CaseAndModelAsync(WorkloadTask.BrainMri);
        var versionId = await PromotedVersionAsync(platform, model, "brain", "brain-mri");
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "brain MR", priority = 1, workload = "brain-mri", modelName = "brain", modality = "MR", expectedVersion = 0 } });
        var inference = await StartServingAsync(platform, ("Inference__Completeness__MaxWait", "00:00:06"));
        Directory.Delete(Path.Combine(study, "FLAIR"), recursive: true);
        var images = Directory.GetFiles(study, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var studyUid = DicomFile.Open(images[0]).Dataset.GetString(DicomTags.StudyInstanceUID);

        await platform.StoreScuAsync(images);
        var outcome = await OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.True(outcome.GetProperty("failure").GetString() == "MISSING_SERIES", outcome.ToString());
        Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        Assert.Contains("SERIES_NOT_FOUND", outcome.GetProperty("failureReason").GetString());
        var waited = outcome.GetProperty("stages").EnumerateArray().Single(stage => stage.GetProperty("stage").GetString() == "WAIT_FOR_COMPLETENESS");
        Assert.True(waited.GetProperty("durationMs").GetDouble() >= 6000, $"completed before the maximum wait: {outcome}");
    }

    private Task<(string Study, string Model)> CaseAndModelAsync(WorkloadTask task) => SeededModel.CaseAndModelAsync(_root, task);

    /// <summary>The model folder uploaded to labeling's blob store as the training worker uploads a checkpoint (one tar),
    /// registered as version 1 of model <paramref name="name"/> and promoted; the version's id.</summary>
    internal static async Task<string> PromotedVersionAsync(StudyForwardingTests.Platform platform, string model, string name, string task)
    {
        var tar = model + ".tar";
        TarFile.CreateFromDirectory(model, tar, includeBaseDirectory: false);
        using var http = new HttpClient();
        using var upload = new HttpRequestMessage(HttpMethod.Post, new Uri(platform.LabelingUrl + "blobs")) { Content = new ByteArrayContent(await File.ReadAllBytesAsync(tar)) };
        upload.Content.Headers.ContentType = new("application/octet-stream");
        upload.Headers.Add("X-Cl2-User", "serving-test");
        upload.Headers.Add("X-Cl2-Roles", "ml-engineer,service");
        using var response = await http.SendAsync(upload);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var digest = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("digest").GetString()!;

        var modelId = (await platform.GraphQLAsync("mutation($name: String!, $task: String!) { registerModel(input: { name: $name, task: $task }) { id } }", new { name, task }))
            .GetProperty("registerModel").GetProperty("id").GetString()!;
        var versionId = (await platform.GraphQLAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
                new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:test" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString()!;
        var version = (await platform.GraphQLAsync("query($id: ID!) { model(id: $id) { version } }", new { id = modelId })).GetProperty("model").GetProperty("version").GetInt32();
        await platform.GraphQLAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = version } });
        return versionId;
    }

    /// <summary>Inference processing studies every 200 ms with a 1 s quiet period; <paramref name="settings"/> add to or replace these.</summary>
    internal static Task<BackgroundProcess> StartServingAsync(StudyForwardingTests.Platform platform, params (string Key, string Value)[] settings) =>
        platform.StartInferenceAsync([("Inference__Completeness__QuietPeriod", "00:00:01"), ("Inference__Processing__PollInterval", "00:00:00.200"),
            ("Inference__Routing__RefreshInterval", "00:00:00.200"), ("Labeling__BaseAddress", platform.LabelingUrl), .. settings]);

    /// <summary>Delivery of results to labeling's archive, looked at every 100 ms.</summary>
    internal static readonly (string Key, string Value)[] ToTheArchive =
    [
        ("Inference__Delivery__Destinations__0__Name", "archive"), ("Inference__Delivery__Destinations__0__Kind", "Archive"),
        ("Inference__Delivery__PollInterval", "00:00:00.100"),
    ];

    /// <summary>Waits for the study's one recorded outcome and returns it.</summary>
    /// <summary>A result object once the delivery outbox has stored it in labeling's archive (the outcome is recorded first).</summary>
    internal static async Task<byte[]> DeliveredAsync(StudyForwardingTests.Platform platform, string study, string series, string instance, string what,
        params BackgroundProcess[] processes)
    {
        byte[]? delivered = null;
        await platform.UntilAsync(async () =>
        {
            try
            {
                delivered = await platform.Archive.RetrieveInstanceAsync(study, series, instance);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (DicomWebException notYet) when (notYet.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, what, processes);
        return delivered!;
    }

    internal static async Task<JsonElement> OutcomeAsync(StudyForwardingTests.Platform platform, string study, params BackgroundProcess[] processes)
    {
        await platform.UntilAsync(async () => (await OutcomesAsync(platform, study)).GetProperty("totalCount").GetInt32() == 1, "the study's outcome", processes);
        return (await OutcomesAsync(platform, study)).GetProperty("edges")[0].GetProperty("node");
    }

    private static async Task<JsonElement> OutcomesAsync(StudyForwardingTests.Platform platform, string study) =>
        (await platform.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { totalCount edges { node { pipeline failure failureReason versionId resultUids stages { stage durationMs } } } } }",
            new { study })).GetProperty("inferenceResults");
}
