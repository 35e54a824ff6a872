using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

public sealed class PromotionGateTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("weights");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("weights");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> RegisterModelAsync() =>
        (await api.RunAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }"""))["registerModel"]!["id"]!.GetValue<string>();

    private Task<string> RegisterVersionAsync(string modelId) => api.RegisterModelVersionAsync(modelId, Digest);

    private Task<int> ModelVersionAsync(string modelId) => api.ModelVersionAsync(modelId);

    private async Task<GraphQLResponse> PromoteAsync(string modelId, string versionId) =>
        await api.PostAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { productionVersion { id } } }",
            new { input = new { modelId, versionId, expectedVersion = await ModelVersionAsync(modelId) } });

    private Task SetGateAsync(string modelId, double margin, bool autoPromote) =>
        api.RunAsync("mutation($input: SetPromotionGateInput!) { setPromotionGate(input: $input) { id } }",
            new { input = new { modelId, margin, autoPromote } });

    private async Task<JsonNode> EvaluateAsync(string modelId, string versionId, string? productionVersionId, (double Candidate, double? Production) test,
        (double Candidate, double? Production) feedback) =>
        (await api.RunAsync("""
            mutation($input: RecordModelEvaluationInput!) {
              recordModelEvaluation(input: $input) { number stage rejectionReason evaluation { gateFailure sets { split candidate production } } }
            }
            """, new
        {
            input = new
            {
                modelId,
                versionId,
                productionVersionId,
                sets = new object[]
                {
                    new { split = "TEST", metric = "dice", caseCount = 8, candidate = test.Candidate, production = test.Production },
                    new { split = "FEEDBACK", metric = "dice", caseCount = 3, candidate = feedback.Candidate, production = feedback.Production },
                },
                feedbackIds = Array.Empty<string>(),
            },
        }))["recordModelEvaluation"]!;

    private async Task<string?> ProductionAsync(string modelId) =>
        (await api.RunAsync("query($model: ID!) { productionVersion(model: $model) { id } }", new { model = modelId }))["productionVersion"]?["id"]?.GetValue<string>();

    private async Task<string?> ProductionAtAsync(string modelId, DateTimeOffset at) =>
        (await api.RunAsync("query($model: ID!, $at: DateTimeOffset!) { productionVersionAt(model: $model, at: $at) { id } }",
            new { model = modelId, at }))["productionVersionAt"]?["id"]?.GetValue<string>();

    [Fact]
    public async Task a_candidate_that_regresses_on_feedback_beyond_the_margin_is_rejected_with_the_reason()
    {
        var modelId = await RegisterModelAsync();
        var v1 = await RegisterVersionAsync(modelId);
        await PromoteAsync(modelId, v1);
        await SetGateAsync(modelId, margin: 0.02, autoPromote: true);
        var v2 = await RegisterVersionAsync(modelId);

        var evaluated = await EvaluateAsync(modelId, v2, v1, test: (0.85, 0.80), feedback: (0.60, 0.70));

        Assert.Equal("REJECTED", evaluated["stage"]!.GetValue<string>());
        Assert.Contains("feedback set", evaluated["rejectionReason"]!.GetValue<string>());
        Assert.Equal(v1, await ProductionAsync(modelId));
        Assert.Equal("MODEL_STAGE_INVALID", (await PromoteAsync(modelId, v2)).FirstErrorCode);
    }

    [Fact]
    public async Task a_candidate_that_regresses_on_the_test_split_beyond_the_margin_is_rejected()
    {
        var modelId = await RegisterModelAsync();
        var v1 = await RegisterVersionAsync(modelId);
        await PromoteAsync(modelId, v1);
        await SetGateAsync(modelId, margin: 0.02, autoPromote: true);
        var v2 = await RegisterVersionAsync(modelId);

        var evaluated = await EvaluateAsync(modelId, v2, v1, test: (0.77, 0.80), feedback: (0.90, 0.70));

        Assert.Equal("REJECTED", evaluated["stage"]!.GetValue<string>());
        Assert.Contains("test set", evaluated["rejectionReason"]!.GetValue<string>());
        Assert.Equal(v1, await ProductionAsync(modelId));
    }

    [Fact]
    public async Task an_auto_promoting_gate_promotes_a_candidate_within_the_margin()
    {
        var modelId = await RegisterModelAsync();
        var v1 = await RegisterVersionAsync(modelId);
        await PromoteAsync(modelId, v1);
        await SetGateAsync(modelId, margin: 0.02, autoPromote: true);
        var v2 = await RegisterVersionAsync(modelId);

        var evaluated = await EvaluateAsync(modelId, v2, v1, test: (0.79, 0.80), feedback: (0.75, 0.70));

        Assert.Equal("PRODUCTION", evaluated["stage"]!.GetValue<string>());
        Assert.Equal(v2, await ProductionAsync(modelId));
    }

    [Fact]
    public async Task without_auto_promotion_a_candidate_is_promoted_by_an_ml_engineer_only_after_it_passed()
    {
        var modelId = await RegisterModelAsync();
        var v1 = await RegisterVersionAsync(modelId);
        await PromoteAsync(modelId, v1);
        await SetGateAsync(modelId, margin: 0.0, autoPromote: false);
        var v2 = await RegisterVersionAsync(modelId);

        Assert.Equal("GATE_NOT_PASSED", (await PromoteAsync(modelId, v2)).FirstErrorCode);
        var evaluated = await EvaluateAsync(modelId, v2, v1, test: (0.81, 0.80), feedback: (0.71, 0.70));
        Assert.Equal("CANDIDATE", evaluated["stage"]!.GetValue<string>());
        Assert.Equal(v1, await ProductionAsync(modelId));

        Assert.Null((await PromoteAsync(modelId, v2)).Errors);
        Assert.Equal(v2, await ProductionAsync(modelId));
    }

    [Fact]
    public async Task an_evaluation_against_a_version_no_longer_in_production_is_refused()
    {
        var modelId = await RegisterModelAsync();
        var v1 = await RegisterVersionAsync(modelId);
        var v2 = await RegisterVersionAsync(modelId);
        await PromoteAsync(modelId, v1);
        var v3 = await RegisterVersionAsync(modelId);
        await PromoteAsync(modelId, v2);

        var refused = await api.PostAsync("""
            mutation($input: RecordModelEvaluationInput!) { recordModelEvaluation(input: $input) { stage } }
            """, new { input = new { modelId, versionId = v3, productionVersionId = v1, sets = new[] { new { split = "TEST", metric = "dice", caseCount = 4, candidate = 0.9, production = 0.8 } } } });

        Assert.Equal("EVALUATION_BASELINE_STALE", refused.FirstErrorCode);
    }

    [Fact]
    public async Task production_version_at_is_right_for_every_instant_after_promotions_a_gate_rejection_and_a_rollback()
    {
        var modelId = await RegisterModelAsync();
        var v1 = await RegisterVersionAsync(modelId);
        var beforeAny = DateTimeOffset.UtcNow;
        await PromoteAsync(modelId, v1);
        var afterV1 = DateTimeOffset.UtcNow;
        await SetGateAsync(modelId, margin: 0.01, autoPromote: true);
        var v2 = await RegisterVersionAsync(modelId);
        await EvaluateAsync(modelId, v2, v1, test: (0.85, 0.80), feedback: (0.80, 0.75));
        var afterV2 = DateTimeOffset.UtcNow;
        var v3 = await RegisterVersionAsync(modelId);
        var rejected = await EvaluateAsync(modelId, v3, v2, test: (0.70, 0.85), feedback: (0.80, 0.80));
        var afterRejection = DateTimeOffset.UtcNow;
        await api.RunAsync("mutation($input: RollbackModelInput!) { rollbackModel(input: $input) { id } }",
            new { input = new { modelId, expectedVersion = await ModelVersionAsync(modelId) } });
        var afterRollback = DateTimeOffset.UtcNow;

        Assert.Equal("REJECTED", rejected["stage"]!.GetValue<string>());
        Assert.Null(await ProductionAtAsync(modelId, beforeAny));
        Assert.Equal(v1, await ProductionAtAsync(modelId, afterV1));
        Assert.Equal(v2, await ProductionAtAsync(modelId, afterV2));
        Assert.Equal(v2, await ProductionAtAsync(modelId, afterRejection));
        Assert.Equal(v1, await ProductionAtAsync(modelId, afterRollback));
        Assert.Equal(v1, await ProductionAsync(modelId));
    }
}
