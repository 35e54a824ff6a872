using System.Text.Json;
using Cl2.Dicom;
using Cl2.Inference.Tests.Forwarding;
using Cl2.Labeling.Client;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>A candidate in shadow runs beside the production version on a study sent by storescu: its agreement is recorded
/// in labeling, its result is never delivered or recorded as an inference result, and its failure never touches production's.</summary>
public sealed class ShadowServingTests : IDisposable
{
    private const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

    private readonly string _root = Directory.CreateTempSubdirectory("cl2-shadow-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_shadow_with_productions_weights_agrees_fully_and_delivers_nothing()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var production = await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        var modelId = await ModelIdOfAsync(platform, production);
        var shadow = await ShadowAsync(platform, modelId, await ArtifactDigestOfAsync(platform, production));
        var inference = await StartAsync(platform);
        var studyUid = await SendAsync(platform, study);

        var report = await ShadowReportAsync(platform, shadow, "the shadow's result", inference, labeling);
        await DeliveredAsync(platform, studyUid, inference, labeling);

        Assert.Equal(1, report.GetProperty("studies").GetInt32());
        Assert.Equal(1.0, report.GetProperty("meanAgreementWithProduction").GetDouble());
        var outcome = await ModelServingTests.OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.Equal(production, outcome.GetProperty("versionId").GetString());
        var segmentations = (await platform.Archive.SearchInstancesAsync(studyUid)).Count(instance => instance.GetString(DicomTags.SOPClassUID) == SegmentationStorage);
        Assert.True(segmentations == 1, $"{segmentations} SEG instances in the archive; only production's is delivered\n{inference.Output}");

        // A radiologist corrects production's result with the case's ground truth: labeling compares the correction with the
        // mask inference kept of the shadow's run (written by inference, read by labeling).
        var feedback = await CorrectAsync(platform, studyUid, study, shadow);
        Assert.Equal((1, 1, 1), (feedback.GetProperty("studies").GetInt32(), feedback.GetProperty("corrected").GetInt32(), feedback.GetProperty("correctedCompared").GetInt32()));
        Assert.InRange(feedback.GetProperty("meanAgreement").GetDouble(), 0, 1);
    }

    /// <summary>Gives a CORRECT verdict on the study's production result, the case's ground-truth mask as the correction;
    /// answers the shadow version's feedback report.</summary>
    private async Task<JsonElement> CorrectAsync(StudyForwardingTests.Platform platform, string studyUid, string caseFolder, string shadow)
    {
        const string Radiologist = "radiologist,annotator";
        var mask = Path.Combine(_root, "correction.tar");
        MaskArchive.Pack(Path.Combine(caseFolder, LabelVolume.HeaderFileName), mask);
        using var http = new HttpClient { BaseAddress = new Uri(platform.LabelingUrl), Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Add("X-Cl2-User", "shadow-test");
        http.DefaultRequestHeaders.Add("X-Cl2-Roles", "service");
        var digest = await new BlobClient(http).UploadAsync(mask, CancellationToken.None);
        var resultId = (await platform.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { edges { node { id } } } }", new { study = studyUid }))
            .GetProperty("inferenceResults").GetProperty("edges")[0].GetProperty("node").GetProperty("id").GetString();
        var caseId = (await platform.GraphQLAsync(Radiologist, "mutation($input: OpenCorrectionCaseInput!) { openCorrectionCase(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId } })).GetProperty("openCorrectionCase").GetProperty("id").GetString();
        var revisionId = (await platform.GraphQLAsync(Radiologist, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = digest } })).GetProperty("submitLabel").GetProperty("id").GetString();
        await platform.GraphQLAsync(Radiologist, "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } });
        return (await platform.GraphQLAsync("query($id: ID!) { modelVersion(id: $id) { shadowReport { feedback { studies corrected correctedCompared meanAgreement } } } }",
            new { id = shadow })).GetProperty("modelVersion").GetProperty("shadowReport").GetProperty("feedback");
    }

    [Fact]
    public async Task a_failing_shadow_run_leaves_productions_result_delivered()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var production = await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        // A checkpoint labeling's blob store does not hold: the shadow's run fails fetching it.
        var shadow = await ShadowAsync(platform, await ModelIdOfAsync(platform, production), "sha256:" + new string('b', 64));
        var inference = await StartAsync(platform);
        var studyUid = await SendAsync(platform, study);

        await platform.UntilAsync(() => Task.FromResult(inference.Output.Contains("failed beside production result", StringComparison.Ordinal)),
            "the shadow run's failure in inference's log", inference, labeling);
        await DeliveredAsync(platform, studyUid, inference, labeling);

        var outcome = await ModelServingTests.OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
        Assert.Equal(production, outcome.GetProperty("versionId").GetString());
        var version = await platform.GraphQLAsync("query($id: ID!) { modelVersion(id: $id) { shadowReport { studies } } }", new { id = shadow });
        Assert.Equal(JsonValueKind.Null, version.GetProperty("modelVersion").GetProperty("shadowReport").ValueKind);
    }

    [Fact]
    public async Task production_results_go_out_for_every_study_while_shadow_runs_wait_for_an_idle_worker()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (_, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var production = await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        var shadow = await ShadowAsync(platform, await ModelIdOfAsync(platform, production), await ArtifactDigestOfAsync(platform, production));
        // One worker and one place for a waiting shadow: studies that complete together run production one after another, and
        // a shadow that finds the place taken is skipped (logged at debug, which the test turns on to count them).
        var inference = await ModelServingTests.StartServingAsync(platform, [.. ModelServingTests.ToTheArchive,
            ("Inference__Models__Concurrency", "1"), ("Inference__Models__ShadowQueueCapacity", "1"), ("Logging__LogLevel__Cl2.Inference.Serving.ShadowRuns", "Debug")]);
        var cohort = Path.Combine(_root, "four-studies"); // beside the seeded model's own "cohort"
        var cases = SyntheticCohort.Write(WorkloadTask.LiverCt, cohort, cases: 4, seed: 21, size: 16).Cases;
        var slices = cases.SelectMany(item => Directory.GetFiles(Path.Combine(cohort, item.Id, "CT"), "*.dcm").Order(StringComparer.Ordinal)).ToArray();
        await SendAsync(platform, slices);
        var studies = slices.Select(slice => DicomFile.Open(slice).Dataset.GetString(DicomTags.StudyInstanceUID)).Distinct().ToArray();
        Assert.Equal(4, studies.Length);

        foreach (var study in studies)
        {
            await DeliveredAsync(platform, study, inference, labeling);
        }
        int Skipped() => inference.Output.Split('\n').Count(line => line.Contains("skipped study", StringComparison.Ordinal));
        var report = await ShadowReportAsync(platform, shadow, "a shadow result for every study not skipped", studies.Length, Skipped, inference, labeling);

        Assert.True(report.GetProperty("studies").GetInt32() >= 1, $"no shadow ran once the worker was idle\n{inference.Output}");
        Assert.Equal(1.0, report.GetProperty("meanAgreementWithProduction").GetDouble());
        foreach (var study in studies)
        {
            var outcome = await ModelServingTests.OutcomeAsync(platform, study, inference, labeling);
            Assert.Equal(production, outcome.GetProperty("versionId").GetString());
        }
    }

    private static Task<BackgroundProcess> StartAsync(StudyForwardingTests.Platform platform) =>
        ModelServingTests.StartServingAsync(platform, [.. ModelServingTests.ToTheArchive]);

    private static async Task<string> SendAsync(StudyForwardingTests.Platform platform, string study)
    {
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        await SendAsync(platform, slices);
        return DicomFile.Open(slices[0]).Dataset.GetString(DicomTags.StudyInstanceUID);
    }

    /// <summary>Routes CT to the liver model and sends <paramref name="slices"/> in one association.</summary>
    private static async Task SendAsync(StudyForwardingTests.Platform platform, string[] slices)
    {
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "liver CT", priority = 1, workload = "liver-ct", modelName = "liver", modality = "CT", expectedVersion = 0 } });
        await platform.StoreScuAsync(slices);
    }

    private static async Task<string> ModelIdOfAsync(StudyForwardingTests.Platform platform, string versionId) =>
        (await platform.GraphQLAsync("query($id: ID!) { modelVersion(id: $id) { modelId } }", new { id = versionId }))
            .GetProperty("modelVersion").GetProperty("modelId").GetString()!;

    private static async Task<string> ArtifactDigestOfAsync(StudyForwardingTests.Platform platform, string versionId) =>
        (await platform.GraphQLAsync("query($id: ID!) { modelVersion(id: $id) { artifactDigest } }", new { id = versionId }))
            .GetProperty("modelVersion").GetProperty("artifactDigest").GetString()!;

    /// <summary>A candidate with <paramref name="artifactDigest"/> registered and put in shadow; its id.</summary>
    private static async Task<string> ShadowAsync(StudyForwardingTests.Platform platform, string modelId, string artifactDigest)
    {
        var versionId = (await platform.GraphQLAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
                new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest, dataDigest = artifactDigest, codeVersion = "git:test" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString()!;
        await platform.GraphQLAsync("mutation($input: ShadowModelVersionInput!) { shadowModelVersion(input: $input) { id } }", new { input = new { modelId, versionId } });
        return versionId;
    }

    private static Task<JsonElement> ShadowReportAsync(StudyForwardingTests.Platform platform, string versionId, string what, params BackgroundProcess[] processes) =>
        ShadowReportAsync(platform, versionId, what, 1, () => 0, processes);

    /// <summary>The shadow report once it counts <paramref name="studies"/> less those <paramref name="skipped"/> says were skipped.</summary>
    private static async Task<JsonElement> ShadowReportAsync(StudyForwardingTests.Platform platform, string versionId, string what, int studies, Func<int> skipped,
        params BackgroundProcess[] processes)
    {
        JsonElement report = default;
        await platform.UntilAsync(async () =>
        {
            report = (await platform.GraphQLAsync("query($id: ID!) { modelVersion(id: $id) { shadowReport { studies meanAgreementWithProduction } } }", new { id = versionId }))
                .GetProperty("modelVersion").GetProperty("shadowReport");
            return report.ValueKind == JsonValueKind.Object && report.GetProperty("studies").GetInt32() == studies - skipped();
        }, what, processes);
        return report;
    }

    /// <summary>Waits until every delivery of the study's production result has succeeded.</summary>
    private static Task DeliveredAsync(StudyForwardingTests.Platform platform, string studyUid, params BackgroundProcess[] processes) =>
        platform.UntilAsync(async () =>
        {
            var results = (await platform.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { edges { node { deliveries { status } } } } }",
                new { study = studyUid })).GetProperty("inferenceResults").GetProperty("edges");
            return results.GetArrayLength() == 1 && results[0].GetProperty("node").GetProperty("deliveries").EnumerateArray() is var deliveries
                && deliveries.Any() && deliveries.All(delivery => delivery.GetProperty("status").GetString() == "DELIVERED");
        }, "production's result delivered", processes);
}
