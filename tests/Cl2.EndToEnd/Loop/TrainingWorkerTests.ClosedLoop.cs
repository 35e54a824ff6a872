using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cl2.EndToEnd;

/// <summary>
/// The worker's half of the closed loop, against the real labeling service and PostgreSQL with a liver CT cohort from
/// <c>./cl2 synth</c> in labeling's archive: a job reads its training set at its data cut (its dataset and the model's
/// corrected feedback cases), names the label revisions and feedback it trained on in the version's lineage, evaluates
/// the candidate beside production on the held-out cases and records it, so the model's gate decides.
/// </summary>
public sealed partial class TrainingWorkerTests
{
    private const int LoopDatasetCases = 8;
    private const int LoopFeedbackStudies = 6;

    [Fact]
    public async Task a_versions_lineage_names_exactly_the_label_revisions_and_feedback_at_its_jobs_data_cut()
    {
        await using var loop = await LoopAsync("cl2-loop-cut-", LoopFeedbackStudies);
        var http = loop.Http;
        var modelId = await RegisterLoopModelAsync(http, "liver-cut");
        var seen = await RegisterStandInVersionAsync(http, modelId);
        var corrections = new List<(string FeedbackId, string RevisionId)>();
        for (var index = 0; index < 5; index++)
        {
            corrections.Add(await CorrectAsync(loop, seen, index));
        }

        var jobId = await RequestLoopJobAsync(http, modelId, loop.DatasetId, baseVersionId: null, new { epochs = 1, spacingMm = Liver16Grid });
        // After the cut: a new revision of a training case, and a sixth correction. Neither may be in the job's set.
        var trainCase = loop.Train[0];
        var late = await SubmitMaskAsync(http, trainCase, loop.MaskOf[trainCase], baseRevision: 1);
        var lateCorrection = await CorrectAsync(loop, seen, 5);
        await using var worker = await StartWorkerAsync("worker-cut", loop.LabelingUrl, loop.State);

        var version = await WaitForVersionAsync(http, worker, jobId);
        var lineage = version.GetProperty("lineage");
        // Every fifth feedback case, in the order the studies got feedback, is held out: corrections 1-4 train, 5 evaluates.
        var trained = corrections.Take(4).ToList();
        var expectedRevisions = loop.Train.Concat(loop.Validation).Select(caseId => loop.Revisions[caseId])
            .Concat(trained.Select(correction => correction.RevisionId)).Order().ToList();
        Assert.Equal(expectedRevisions, Ids(lineage.GetProperty("labelRevisionIds")));
        Assert.Equal(trained.Select(correction => correction.FeedbackId).Order().ToList(), Ids(lineage.GetProperty("feedbackIds")));
        Assert.DoesNotContain(late, Ids(lineage.GetProperty("labelRevisionIds")));
        Assert.DoesNotContain(lateCorrection.FeedbackId, Ids(lineage.GetProperty("feedbackIds")));
        var evaluation = version.GetProperty("evaluation");
        Assert.Equal([corrections[4].FeedbackId], Ids(evaluation.GetProperty("feedbackIds")));
        var sets = evaluation.GetProperty("sets").EnumerateArray().ToDictionary(set => set.GetProperty("split").GetString()!);
        Assert.Equal((loop.Test.Count, 1), (sets["TEST"].GetProperty("caseCount").GetInt32(), sets["FEEDBACK"].GetProperty("caseCount").GetInt32()));
        Directory.Delete(loop.State, recursive: true);
    }

    [Fact]
    public async Task a_candidate_worse_than_production_beyond_the_margin_is_rejected_with_production_unchanged()
    {
        await using var loop = await LoopAsync("cl2-loop-reject-", feedbackStudies: 0);
        var http = loop.Http;
        var modelId = await RegisterLoopModelAsync(http, "liver-reject");
        await LabelingHttp.GraphQLAsync(http, "mutation($input: SetPromotionGateInput!) { setPromotionGate(input: $input) { id } }",
            new { input = new { modelId, margin = 0.01, autoPromote = true } });
        await using var worker = await StartWorkerAsync("worker-reject", loop.LabelingUrl, loop.State);
        var first = await WaitForVersionAsync(http, worker, await RequestLoopJobAsync(http, modelId, loop.DatasetId, null, new { epochs = 3, spacingMm = Liver16Grid }));
        Assert.Equal("PRODUCTION", first.GetProperty("stage").GetString());
        var firstId = first.GetProperty("id").GetString()!;

        // All weights zero and a learning rate of 0: the candidate's logits are all 0, so it segments nothing (dice 0).
        var zeroed = await RegisterZeroedVersionAsync(http, modelId, first.GetProperty("artifactDigest").GetString()!, Path.Combine(loop.State, "zeroed"));
        var worse = await WaitForVersionAsync(http, worker,
            await RequestLoopJobAsync(http, modelId, loop.DatasetId, zeroed, new { epochs = 1, learningRate = 0.0 }));

        var test = worse.GetProperty("evaluation").GetProperty("sets").EnumerateArray().Single(set => set.GetProperty("split").GetString() == "TEST");
        Assert.Equal(0.0, test.GetProperty("candidate").GetDouble(), 6);
        Assert.True(test.GetProperty("production").GetDouble() > 0.01, $"production's test metric: {test}");
        Assert.Equal("REJECTED", worse.GetProperty("stage").GetString());
        Assert.Contains("on the test set", worse.GetProperty("rejectionReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(firstId, await ProductionAsync(http, modelId));
        Directory.Delete(loop.State, recursive: true);
    }

    [Fact]
    public async Task an_auto_promoting_gate_promotes_a_candidate_as_good_as_production()
    {
        await using var loop = await LoopAsync("cl2-loop-promote-", feedbackStudies: 0);
        var http = loop.Http;
        var modelId = await RegisterLoopModelAsync(http, "liver-promote");
        await LabelingHttp.GraphQLAsync(http, "mutation($input: SetPromotionGateInput!) { setPromotionGate(input: $input) { id } }",
            new { input = new { modelId, margin = 0.0, autoPromote = true } });
        await using var worker = await StartWorkerAsync("worker-promote", loop.LabelingUrl, loop.State);
        var first = await WaitForVersionAsync(http, worker, await RequestLoopJobAsync(http, modelId, loop.DatasetId, null, new { epochs = 2, spacingMm = Liver16Grid }));
        var firstId = first.GetProperty("id").GetString()!;
        Assert.Equal(firstId, await ProductionAsync(http, modelId));

        // Fine-tuned from production with a learning rate of 0: the same weights, so the same metric on the same cases.
        var same = await WaitForVersionAsync(http, worker,
            await RequestLoopJobAsync(http, modelId, loop.DatasetId, firstId, new { epochs = 1, learningRate = 0.0 }));

        var test = same.GetProperty("evaluation").GetProperty("sets").EnumerateArray().Single(set => set.GetProperty("split").GetString() == "TEST");
        Assert.Equal(test.GetProperty("production").GetDouble(), test.GetProperty("candidate").GetDouble(), 6);
        Assert.Equal(firstId, same.GetProperty("evaluation").GetProperty("productionVersionId").GetString());
        Assert.Equal("PRODUCTION", same.GetProperty("stage").GetString());
        Assert.Equal(same.GetProperty("id").GetString(), await ProductionAsync(http, modelId));
        Directory.Delete(loop.State, recursive: true);
    }

    /// <summary>Labeling with a cohort in its archive: a dataset of <see cref="LoopDatasetCases"/> cases, split 5/2/1 and
    /// all labelled as synthesised (revision 1), and some more studies for radiologists to correct.</summary>
    private sealed class Loop(PostgresCluster postgres, BackgroundProcess labeling) : IAsyncDisposable
    {
        public required string State { get; init; }
        public required string LabelingUrl { get; init; }
        public required HttpClient Http { get; init; }
        public required string DatasetId { get; init; }
        public required IReadOnlyList<string> Train { get; init; }
        public required IReadOnlyList<string> Validation { get; init; }
        public required IReadOnlyList<string> Test { get; init; }
        public required IReadOnlyDictionary<string, string> Revisions { get; init; }
        public required IReadOnlyDictionary<string, string> MaskOf { get; init; }
        /// <summary>Per feedback study: its UID, its case in the review dataset and its mask's digest.</summary>
        public required IReadOnlyList<(string Study, string CaseId, string Mask)> FeedbackStudies { get; init; }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await labeling.DisposeAsync();
            await postgres.DisposeAsync();
        }
    }

    private static async Task<Loop> LoopAsync(string prefix, int feedbackStudies)
    {
        var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory(prefix).FullName;
        var (labeling, url) = await StartLabelingAsync(postgres, state);
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var cohort = Path.Combine(state, "cohort");
        (await ProcessRunner.RunAsync(Path.Combine(Repository.Root, "cl2"),
            ["synth", "--task", "liver-ct", "--out", cohort, "--cases", $"{LoopDatasetCases + feedbackStudies}", "--size", "16", "--seed", "7"],
            TimeSpan.FromMinutes(5))).EnsureSuccess("./cl2 synth");
        var cases = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]!.AsArray();
        var studies = new List<string>();
        var masks = new List<string>();
        for (var index = 0; index < cases.Count; index++)
        {
            var item = cases[index]!;
            await StoreSeriesAsync(http, Path.Combine(cohort, item["series"]!["CT"]!.GetValue<string>()));
            studies.Add(item["studyInstanceUid"]!.GetValue<string>());
            masks.Add(await UploadMaskAsync(http, Path.Combine(cohort, item["labels"]!.GetValue<string>()), shiftMm: 0, Path.Combine(state, $"mask-{index}")));
        }
        var datasetId = await CreateDatasetAsync(http, "liver loop");
        var caseIds = await AddCasesAsync(http, datasetId, studies.Take(LoopDatasetCases));
        var split = (await LabelingHttp.GraphQLAsync(http,
                "mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { split { trainCaseIds validationCaseIds testCaseIds } } }",
                new { input = new { datasetId, validationFraction = 0.25, testFraction = 0.125, seed = 2 } }))
            .GetProperty("fixDatasetSplit").GetProperty("split");
        List<string> Part(string name) => [.. split.GetProperty(name).EnumerateArray().Select(id => id.GetString()!)];
        var maskOf = new Dictionary<string, string>();
        var revisions = new Dictionary<string, string>();
        for (var index = 0; index < LoopDatasetCases; index++)
        {
            var caseId = caseIds[studies[index]];
            maskOf[caseId] = masks[index];
            revisions[caseId] = await SubmitMaskAsync(http, caseId, masks[index], baseRevision: 0);
        }
        // Where a radiologist's corrected mask is submitted before the feedback names it (as the review page does).
        var reviewCases = feedbackStudies == 0 ? new Dictionary<string, string>()
            : await AddCasesAsync(http, await CreateDatasetAsync(http, "liver review"), studies.Skip(LoopDatasetCases));
        var feedback = studies.Skip(LoopDatasetCases).Select((study, index) => (study, reviewCases[study], masks[LoopDatasetCases + index])).ToList();
        return new Loop(postgres, labeling)
        {
            State = state, LabelingUrl = url, Http = http, DatasetId = datasetId,
            Train = Part("trainCaseIds"), Validation = Part("validationCaseIds"), Test = Part("testCaseIds"),
            Revisions = revisions, MaskOf = maskOf, FeedbackStudies = feedback,
        };
    }

    private static async Task<string> CreateDatasetAsync(HttpClient http, string name) =>
        (await LabelingHttp.GraphQLAsync(http, "mutation($name: String!) { createDataset(input: { name: $name }) { id } }", new { name }))
            .GetProperty("createDataset").GetProperty("id").GetString()!;

    private static async Task<Dictionary<string, string>> AddCasesAsync(HttpClient http, string datasetId, IEnumerable<string> studies) =>
        (await LabelingHttp.GraphQLAsync(http, "mutation($input: AddCasesInput!) { addCases(input: $input) { id studyInstanceUid } }",
            new { input = new { datasetId, studyInstanceUids = studies.ToArray() } }))
        .GetProperty("addCases").EnumerateArray()
        .ToDictionary(item => item.GetProperty("studyInstanceUid").GetString()!, item => item.GetProperty("id").GetString()!);

    private static async Task<string> SubmitMaskAsync(HttpClient http, string caseId, string mask, int baseRevision) =>
        (await LabelingHttp.GraphQLAsync(http, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision, kind = "SEGMENTATION", blobDigest = mask } }))
        .GetProperty("submitLabel").GetProperty("id").GetString()!;

    private static async Task<string> RegisterLoopModelAsync(HttpClient http, string name) =>
        (await LabelingHttp.GraphQLAsync(http, "mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }", new { name }))
            .GetProperty("registerModel").GetProperty("id").GetString()!;

    /// <summary>A radiologist corrects <paramref name="version"/>'s result on feedback study <paramref name="index"/>: the
    /// corrected mask is submitted on the study's review case, and the feedback names that revision.</summary>
    private static async Task<(string FeedbackId, string RevisionId)> CorrectAsync(Loop loop, string version, int index)
    {
        var (study, caseId, mask) = loop.FeedbackStudies[index];
        var resultId = (await LabelingHttp.GraphQLAsync(loop.Http, "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
                new { input = new { studyInstanceUid = study, modelVersionId = version, pipeline = "liver-ct", resultUids = new[] { study + ".9" }, durationMs = 5.0 } }))
            .GetProperty("recordInferenceResult").GetProperty("id").GetString()!;
        var revisionId = await SubmitMaskAsync(loop.Http, caseId, mask, baseRevision: 0);
        var feedbackId = (await LabelingHttp.GraphQLAsync(loop.Http, "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
                new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } }))
            .GetProperty("giveFeedback").GetProperty("id").GetString()!;
        return (feedbackId, revisionId);
    }

    /// <summary>The version whose results the radiologists judge: only its id matters (it is never loaded, nor in production).</summary>
    private static async Task<string> RegisterStandInVersionAsync(HttpClient http, string modelId)
    {
        var standIn = await UploadBlobAsync(http, "stand-in weights"u8.ToArray());
        return (await LabelingHttp.GraphQLAsync(http, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
                new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = standIn, dataDigest = standIn, codeVersion = "stand-in" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString()!;
    }

    private static async Task<string> RequestLoopJobAsync(HttpClient http, string modelId, string datasetId, string? baseVersionId, object recipe) =>
        (await LabelingHttp.GraphQLAsync(http, "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            new { input = new { modelId, datasetId, baseVersionId, trigger = "closed loop e2e", recipe } }))
        .GetProperty("requestTraining").GetProperty("id").GetString()!;

    /// <summary>The version the job registered, once the job succeeded, with its stage, lineage and evaluation.</summary>
    private static async Task<JsonElement> WaitForVersionAsync(HttpClient http, BackgroundProcess worker, string jobId)
    {
        string? versionId = null;
        await Eventually.IsTrueAsync(async () =>
        {
            var job = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { status versionId failureReason } }", new { id = jobId }))
                .GetProperty("trainingJob");
            versionId = job.GetProperty("status").GetString() switch
            {
                "FAILED" => throw new Xunit.Sdk.XunitException($"job {jobId} failed: {job.GetProperty("failureReason")}\n{worker.Output}"),
                "SUCCEEDED" => job.GetProperty("versionId").GetString(),
                _ => null,
            };
            return versionId is not null;
        }, [worker], $"job {jobId} to succeed", timeoutSeconds: 240);
        return (await LabelingHttp.GraphQLAsync(http, """
            query($id: ID!) { modelVersion(id: $id) { id stage artifactDigest rejectionReason lineage { labelRevisionIds feedbackIds dataCut }
              evaluation { productionVersionId feedbackIds gateFailure sets { split metric caseCount candidate production } } } }
            """, new { id = versionId })).GetProperty("modelVersion");
    }

    private static async Task<string?> ProductionAsync(HttpClient http, string modelId) =>
        (await LabelingHttp.GraphQLAsync(http, "query($model: ID!) { productionVersion(model: $model) { id } }", new { model = modelId }))
            .GetProperty("productionVersion") is { ValueKind: JsonValueKind.Object } version ? version.GetProperty("id").GetString() : null;

    private static List<string> Ids(JsonElement array) => [.. array.EnumerateArray().Select(id => id.GetString()!).Order()];

    /// <summary>Registers a copy of a version whose every float weight is 0: the weights file (TorchSharp's state-dict format,
    /// see <see cref="RegisterPoisonedVersionAsync"/>) edited tensor by tensor.</summary>
    private static Task<string> RegisterZeroedVersionAsync(HttpClient http, string modelId, string artifact, string folder) =>
        RegisterEditedVersionAsync(http, modelId, artifact, folder, "zeroed by the test", weights =>
        {
            using var reader = new BinaryReader(new MemoryStream(weights));
            var entries = reader.Read7BitEncodedInt64();
            for (var entry = 0; entry < entries; entry++)
            {
                _ = reader.ReadString();
                var dtype = reader.Read7BitEncodedInt64();
                var count = Enumerable.Range(0, (int)reader.Read7BitEncodedInt64()).Aggregate(1L, (product, _) => product * reader.Read7BitEncodedInt64());
                // TorchSharp's ScalarType codes: 6 float32 (zeroed), 4 int64 (a norm's step counter, kept).
                var size = dtype switch { 6 => 4, 4 => 8, _ => throw new Xunit.Sdk.XunitException($"weights entry {entry} has dtype {dtype}, which this test does not edit") };
                var start = (int)reader.BaseStream.Position;
                if (dtype == 6)
                {
                    weights.AsSpan(start, (int)(count * size)).Clear();
                }
                reader.BaseStream.Position = start + (count * size);
            }
        });
}
