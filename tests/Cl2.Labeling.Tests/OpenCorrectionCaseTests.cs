using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary><c>openCorrectionCase</c>: the review page's way to correct a result on a study that is a case of no dataset.</summary>
public sealed class OpenCorrectionCaseTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("correction of a study from the PACS");

    private const string Open = """
        mutation($input: OpenCorrectionCaseInput!) { openCorrectionCase(input: $input) { id studyInstanceUid currentRevision dataset { id name } } }
        """;

    private static readonly (string, string) Radiologist = ("rad", "radiologist");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("correction of a study from the PACS");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Id(JsonNode node, string field) => node[field]!["id"]!.GetValue<string>();

    /// <summary>A result of a registered model's version on <paramref name="study"/>, or of pass-through (no model).</summary>
    private async Task<(string? ModelId, string ResultId)> ResultAsync(string study, bool ranAModel = true)
    {
        string? modelId = null, versionId = null;
        if (ranAModel)
        {
            modelId = Id(await api.RunAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }"""), "registerModel");
            versionId = Id(await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
                new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }),
                "registerModelVersion");
        }
        var resultId = Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = ranAModel ? "seg" : "pass-through", resultUids = Array.Empty<string>(), durationMs = 5.0 } }),
            "recordInferenceResult");
        return (modelId, resultId);
    }

    [Fact]
    public async Task a_correction_of_a_study_in_no_dataset_is_a_revision_of_its_case_in_the_models_feedback_dataset()
    {
        var (modelId, resultId) = await ResultAsync("1.2.81.1");

        var opened = (await api.RunAsAsync(Radiologist, Open, new { input = new { inferenceResultId = resultId } }))["openCorrectionCase"]!;
        var revisionId = Id(await api.RunAsAsync(Radiologist, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId = opened["id"]!.GetValue<string>(), baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest } }), "submitLabel");
        await api.RunAsAsync(Radiologist, "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } });
        var dataset = (await api.RunAsync("""
            query($id: ID!) { model(id: $id) { feedbackDataset { id cases(first: 10) { items { id studyInstanceUid labelStatus feedbackVerdict currentRevisionId } } } } }
            """, new { id = modelId }))["model"]!["feedbackDataset"]!;

        Assert.Equal(("1.2.81.1", "liver feedback", 0), (opened["studyInstanceUid"]!.GetValue<string>(), opened["dataset"]!["name"]!.GetValue<string>(), opened["currentRevision"]!.GetValue<int>()));
        Assert.Equal(opened["dataset"]!["id"]!.GetValue<string>(), dataset["id"]!.GetValue<string>());
        var @case = Assert.Single(dataset["cases"]!["items"]!.AsArray())!;
        Assert.Equal((opened["id"]!.GetValue<string>(), "APPROVED", "CORRECT", revisionId),
            (@case["id"]!.GetValue<string>(), @case["labelStatus"]!.GetValue<string>(), @case["feedbackVerdict"]!.GetValue<string>(), @case["currentRevisionId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task opening_the_case_of_a_study_again_answers_the_same_case()
    {
        var (_, resultId) = await ResultAsync("1.2.81.2");

        var first = (await api.RunAsAsync(Radiologist, Open, new { input = new { inferenceResultId = resultId } }))["openCorrectionCase"]!;
        var again = (await api.RunAsAsync(Radiologist, Open, new { input = new { inferenceResultId = resultId } }))["openCorrectionCase"]!;

        Assert.Equal(first["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_result_that_ran_no_model_has_no_case_to_correct()
    {
        var (_, resultId) = await ResultAsync("1.2.81.3", ranAModel: false);

        var refused = await api.PostAsAsync(Radiologist, Open, new { input = new { inferenceResultId = resultId } });

        Assert.Equal(ErrorCodes.InvalidInput, refused.FirstErrorCode);
        Assert.Contains("there is no model output to correct", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_annotator_cannot_open_a_correction_case()
    {
        var (_, resultId) = await ResultAsync("1.2.81.4");

        var refused = await api.PostAsAsync(("ann", "annotator"), Open, new { input = new { inferenceResultId = resultId } });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
    }
}
