using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary><c>trainingSet(job:)</c>: a job's data as it was at its data cut, from the job's dataset and its model's
/// feedback dataset.</summary>
public sealed class TrainingSetTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("training set mask");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("training set mask");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Id(JsonNode node, string field) => node[field]!["id"]!.GetValue<string>();

    private async Task<string> DatasetAsync(string name) =>
        Id(await api.RunAsync("mutation($name: String!) { createDataset(input: { name: $name }) { id } }", new { name }), "createDataset");

    private async Task<string> CaseAsync(string datasetId, string study)
    {
        await ArchivedStudies.StoreAsync(api.Client, [study]);
        return (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { study } } }))["addCases"]![0]!["id"]!.GetValue<string>();
    }

    private async Task<string> LabelAsync(string caseId, int baseRevision) =>
        Id(await api.RunAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision, kind = "SEGMENTATION", blobDigest = Digest } }), "submitLabel");

    private async Task<(string ModelId, string VersionId)> ModelAsync()
    {
        var modelId = Id(await api.RunAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }"""), "registerModel");
        var versionId = Id(await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }),
            "registerModelVersion");
        return (modelId, versionId);
    }

    private async Task<string> JobAsync(string modelId, string datasetId) =>
        Id(await api.RunAsync("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            new { input = new { modelId, datasetId, trigger = "training set test" } }), "requestTraining");

    private async Task<JsonArray> CasesAsync(string jobId) =>
        (await api.RunAsync("query($job: ID!) { trainingSet(job: $job) { cases { caseId source part labelRevisionId feedbackId skipReason } } }",
            new { job = jobId }))["trainingSet"]!["cases"]!.AsArray();

    /// <summary>A radiologist corrects the version's result on a new study; the correction's revision is on a review case.</summary>
    private async Task<(string FeedbackId, string RevisionId)> CorrectAsync(string versionId, string reviewDatasetId, string study)
    {
        var resultId = Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "seg", resultUids = new[] { study + ".9" }, durationMs = 5.0 } }),
            "recordInferenceResult");
        var revisionId = await LabelAsync(await CaseAsync(reviewDatasetId, study), 0);
        var feedbackId = Id(await api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } }), "giveFeedback");
        return (feedbackId, revisionId);
    }

    [Fact]
    public async Task a_label_revision_submitted_after_the_jobs_data_cut_is_not_in_its_training_set()
    {
        var (modelId, _) = await ModelAsync();
        var datasetId = await DatasetAsync("cut");
        var caseId = await CaseAsync(datasetId, "1.2.90.1");
        var before = await LabelAsync(caseId, 0);
        var jobId = await JobAsync(modelId, datasetId);

        var after = await LabelAsync(caseId, 1);
        var lateCase = await CaseAsync(datasetId, "1.2.90.2");

        var cases = await CasesAsync(jobId);
        var only = Assert.Single(cases);
        Assert.Equal((caseId, before), (only!["caseId"]!.GetValue<string>(), only["labelRevisionId"]!.GetValue<string>()));
        Assert.NotEqual(after, before);
        Assert.DoesNotContain(cases, item => item!["caseId"]!.GetValue<string>() == lateCase);
    }

    [Fact]
    public async Task a_training_set_lists_its_dataset_cases_in_the_order_of_their_studies()
    {
        var (modelId, _) = await ModelAsync();
        var datasetId = await DatasetAsync("order");
        // Added last study first, so the cases' (time-ordered) ids run the other way from their studies.
        var studies = new[] { "1.2.97.3", "1.2.97.2", "1.2.97.1" };
        var caseIds = new Dictionary<string, string>();
        foreach (var study in studies)
        {
            caseIds[study] = await CaseAsync(datasetId, study);
            await LabelAsync(caseIds[study], 0);
        }

        var cases = await CasesAsync(await JobAsync(modelId, datasetId));

        Assert.Equal(studies.Order(StringComparer.Ordinal).Select(study => caseIds[study]), cases.Select(item => item!["caseId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task every_fifth_corrected_study_is_held_out_of_training_for_the_feedback_evaluation()
    {
        var (modelId, versionId) = await ModelAsync();
        var datasetId = await DatasetAsync("dataset");
        await LabelAsync(await CaseAsync(datasetId, "1.2.91.1"), 0);
        var reviewId = await DatasetAsync("review");
        var corrections = new List<(string FeedbackId, string RevisionId)>();
        for (var index = 0; index < 6; index++)
        {
            corrections.Add(await CorrectAsync(versionId, reviewId, $"1.2.92.{index + 1}"));
        }

        var feedback = (await CasesAsync(await JobAsync(modelId, datasetId))).Where(item => item!["source"]!.GetValue<string>() == "FEEDBACK")
            .ToDictionary(item => item!["feedbackId"]!.GetValue<string>(), item => (Part: item!["part"]!.GetValue<string>(), Revision: item["labelRevisionId"]!.GetValue<string>()));

        Assert.Equal(corrections.Select(correction => (correction.FeedbackId, correction.RevisionId)).Order(),
            feedback.Select(entry => (entry.Key, entry.Value.Revision)).Order());
        Assert.Equal([corrections[4].FeedbackId], feedback.Where(entry => entry.Value.Part == "TEST").Select(entry => entry.Key));
    }

    /// <summary>A radiologist accepts the version's result on a new study.</summary>
    private async Task<(string ResultId, string FeedbackId)> AcceptAsync(string versionId, string study)
    {
        var resultId = Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "seg", resultUids = new[] { study + ".9" }, durationMs = 5.0 } }),
            "recordInferenceResult");
        var feedbackId = Id(await api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "ACCEPT" } }), "giveFeedback");
        return (resultId, feedbackId);
    }

    [Fact]
    public async Task an_accepted_result_is_listed_for_training_with_the_result_objects_as_its_label()
    {
        var (modelId, versionId) = await ModelAsync();
        var datasetId = await DatasetAsync("dataset");
        await LabelAsync(await CaseAsync(datasetId, "1.2.93.1"), 0);
        var (resultId, feedbackId) = await AcceptAsync(versionId, "1.2.93.2");

        var accepted = Assert.Single((await api.RunAsync(
                "query($job: ID!) { trainingSet(job: $job) { cases { source part labelRevisionId feedbackId skipReason acceptedInferenceResultId acceptedResultUids } } }",
                new { job = await JobAsync(modelId, datasetId) }))["trainingSet"]!["cases"]!.AsArray(),
            item => item!["source"]!.GetValue<string>() == "FEEDBACK");

        Assert.Null(accepted!["skipReason"]);
        Assert.Null(accepted["labelRevisionId"]);
        Assert.Equal("TRAIN", accepted["part"]!.GetValue<string>());
        Assert.Equal((feedbackId, resultId), (accepted["feedbackId"]!.GetValue<string>(), accepted["acceptedInferenceResultId"]!.GetValue<string>()));
        Assert.Equal(["1.2.93.2.9"], accepted["acceptedResultUids"]!.AsArray().Select(uid => uid!.GetValue<string>()));
    }

    [Fact]
    public async Task a_held_out_accepted_result_is_not_evaluated_on()
    {
        var (modelId, versionId) = await ModelAsync();
        var datasetId = await DatasetAsync("dataset");
        await LabelAsync(await CaseAsync(datasetId, "1.2.94.1"), 0);
        for (var index = 0; index < 5; index++)
        {
            await AcceptAsync(versionId, $"1.2.94.{index + 2}");
        }

        var feedback = (await CasesAsync(await JobAsync(modelId, datasetId))).Where(item => item!["source"]!.GetValue<string>() == "FEEDBACK").ToList();

        var heldOut = Assert.Single(feedback, item => item!["part"]!.GetValue<string>() == "TEST");
        Assert.Contains("not judged against", heldOut!["skipReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(feedback.Where(item => item != heldOut), item => Assert.Null(item!["skipReason"]));
    }

    [Fact]
    public async Task a_versions_lineage_lists_the_accepted_results_it_trained_on_with_their_weight()
    {
        var (modelId, versionId) = await ModelAsync();
        var (resultId, feedbackId) = await AcceptAsync(versionId, "1.2.95.1");

        var lineage = (await api.RunAsync(
            "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { lineage { feedbackIds acceptedResults { feedbackId inferenceResultId weight } } } }",
            new
            {
                input = new
                {
                    modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:2",
                    acceptedResults = new[] { new { feedbackId, inferenceResultId = resultId, weight = 0.25 } }
                }
            }))["registerModelVersion"]!["lineage"]!;

        var accepted = Assert.Single(lineage["acceptedResults"]!.AsArray());
        Assert.Equal((feedbackId, resultId, 0.25),
            (accepted!["feedbackId"]!.GetValue<string>(), accepted["inferenceResultId"]!.GetValue<string>(), accepted["weight"]!.GetValue<double>()));
        Assert.Empty(lineage["feedbackIds"]!.AsArray());
    }

    [Fact]
    public async Task a_correction_listed_as_an_accepted_result_is_refused()
    {
        var (modelId, versionId) = await ModelAsync();
        var (feedbackId, _) = await CorrectAsync(versionId, await DatasetAsync("review"), "1.2.96.1");
        var resultId = Guid.NewGuid();

        var refused = await api.PostAsync(
            "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new
            {
                input = new
                {
                    modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:2",
                    acceptedResults = new[] { new { feedbackId, inferenceResultId = resultId, weight = 0.5 } }
                }
            });

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Contains("not an ACCEPT", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
