using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

public sealed class FeedbackCaseTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("corrected mask");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("corrected mask");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Id(JsonNode node, string field) => node[field]!["id"]!.GetValue<string>();

    private async Task<(string ModelId, string VersionId)> ModelVersionAsync()
    {
        var modelId = Id(await api.RunAsync("""mutation { registerModel(input: { name: "brain", task: "liver-ct" }) { id } }"""), "registerModel");
        var versionId = Id(await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }),
            "registerModelVersion");
        return (modelId, versionId);
    }

    private async Task<string> InferAsync(string study, string versionId) =>
        Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "seg", resultUids = new[] { study + ".9" }, durationMs = 5.0 } }),
            "recordInferenceResult");

    private async Task<string> CorrectedRevisionAsync(string study)
    {
        var dataset = Id(await api.RunAsync("""mutation { createDataset(input: { name: "review scratch" }) { id } }"""), "createDataset");
        await ArchivedStudies.StoreAsync(api.Client, study);
        var caseId = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { study } } }))["addCases"]![0]!["id"]!.GetValue<string>();
        return Id(await api.RunAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest } }), "submitLabel");
    }

    private Task<JsonNode> FeedbackAsync(string resultId, string verdict, string? correctedLabelRevisionId = null) =>
        api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict, correctedLabelRevisionId } });

    private async Task<JsonNode> FeedbackDatasetAsync(string modelId) =>
        (await api.RunAsync("""
            query($id: ID!) { model(id: $id) { feedbackDataset { id name cases(first: 50) { edges { node {
              id studyInstanceUid labelStatus currentRevisionId feedbackVerdict acceptedInferenceResultId priority } } } } } }
            """, new { id = modelId }))["model"]!["feedbackDataset"]!;

    private static JsonNode CaseOf(JsonNode dataset, string study) =>
        dataset["cases"]!["edges"]!.AsArray().Select(edge => edge!["node"]!).Single(node => node["studyInstanceUid"]!.GetValue<string>() == study);

    [Fact]
    public async Task a_corrected_study_becomes_an_approved_case_of_the_models_feedback_dataset()
    {
        var (modelId, versionId) = await ModelVersionAsync();
        var resultId = await InferAsync("1.2.80.1", versionId);
        var revisionId = await CorrectedRevisionAsync("1.2.80.1");

        await FeedbackAsync(resultId, "CORRECT", revisionId);

        var dataset = await FeedbackDatasetAsync(modelId);
        Assert.Equal("brain feedback", dataset["name"]!.GetValue<string>());
        var @case = CaseOf(dataset, "1.2.80.1");
        Assert.Equal(("APPROVED", "CORRECT"), (@case["labelStatus"]!.GetValue<string>(), @case["feedbackVerdict"]!.GetValue<string>()));
        Assert.Equal(revisionId, @case["currentRevisionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task an_accepted_result_labels_its_case_with_the_models_output_marked_accepted()
    {
        var (modelId, versionId) = await ModelVersionAsync();
        var resultId = await InferAsync("1.2.81.1", versionId);

        await FeedbackAsync(resultId, "ACCEPT");

        var @case = CaseOf(await FeedbackDatasetAsync(modelId), "1.2.81.1");
        Assert.Equal(("APPROVED", "ACCEPT"), (@case["labelStatus"]!.GetValue<string>(), @case["feedbackVerdict"]!.GetValue<string>()));
        Assert.Equal(resultId, @case["acceptedInferenceResultId"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_rejected_result_puts_its_case_first_in_the_annotators_queue()
    {
        var (modelId, versionId) = await ModelVersionAsync();
        var accepted = await InferAsync("1.2.82.1", versionId);
        var rejected = await InferAsync("1.2.82.2", versionId);
        await FeedbackAsync(accepted, "ACCEPT");
        var datasetId = (await FeedbackDatasetAsync(modelId))["id"]!.GetValue<string>();
        // Older unlabelled cases that plain "first" order would hand out before the rejected one.
        await ArchivedStudies.StoreAsync(api.Client, "1.2.82.10", "1.2.82.11");
        await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { "1.2.82.10", "1.2.82.11" } } });

        await FeedbackAsync(rejected, "REJECT");

        var next = (await api.RunAsAsync(("ann", "annotator"), "query($dataset: ID!) { nextCase(dataset: $dataset) { studyInstanceUid priority } }",
            new { dataset = datasetId }))["nextCase"]!;
        Assert.Equal("1.2.82.2", next["studyInstanceUid"]!.GetValue<string>());
        Assert.Equal(1, next["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task verdicts_on_one_study_given_at_once_share_one_feedback_dataset_and_one_case()
    {
        var (modelId, versionId) = await ModelVersionAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => InferAsync("1.2.83.1", versionId)));

        await Task.WhenAll(results.Select(resultId => FeedbackAsync(resultId, "ACCEPT")));

        var datasets = (await api.RunAsync("""query { datasets(nameContains: "brain feedback", first: 10) { totalCount } }"""))["datasets"]!;
        Assert.Equal(1, datasets["totalCount"]!.GetValue<int>());
        Assert.Single((await FeedbackDatasetAsync(modelId))["cases"]!["edges"]!.AsArray());
    }
}
