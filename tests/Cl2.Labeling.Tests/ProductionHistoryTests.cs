using System.Globalization;
using System.Text.Json.Nodes;
using Cl2.Labeling.Models;
using Npgsql;

namespace Cl2.Labeling.Tests;

/// <summary><c>productionHistory</c>: the periods a model's versions were in production, replayed from its stream.</summary>
public sealed class ProductionHistoryTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Periods = "version { id number } from to change changedBy byGate reason";
    private static readonly string Digest = LabelingApi.DigestOf("weights");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("weights");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> RegisterModelAsync(string name) =>
        (await api.RunAsync("mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }", new { name }))
            ["registerModel"]!["id"]!.GetValue<string>();

    private Task<string> RegisterVersionAsync(string modelId) => api.RegisterModelVersionAsync(modelId, Digest);

    private async Task PromoteAsync(string engineer, string modelId, string versionId, string? reason = null) =>
        await api.RunAsAsync((engineer, "ml-engineer"), "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = await api.ModelVersionAsync(modelId), reason } });

    private async Task RollbackAsync(string engineer, string modelId, string? reason = null) =>
        await api.RunAsAsync((engineer, "ml-engineer"), "mutation($input: RollbackModelInput!) { rollbackModel(input: $input) { id } }",
            new { input = new { modelId, expectedVersion = await api.ModelVersionAsync(modelId), reason } });

    private async Task<JsonArray> HistoryAsync(string modelId) =>
        (await api.RunAsync($"query($model: ID!) {{ productionHistory(model: $model) {{ {Periods} }} }}", new { model = modelId }))["productionHistory"]!.AsArray();

    private static DateTimeOffset? Time(JsonNode? value) =>
        value is null ? null : DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task promotions_and_a_rollback_make_meeting_periods_newest_first_with_who_changed_production()
    {
        var modelId = await RegisterModelAsync("liver");
        var v1 = await RegisterVersionAsync(modelId);
        var v2 = await RegisterVersionAsync(modelId);
        var before = DateTimeOffset.UtcNow;
        await PromoteAsync("alice", modelId, v1);
        await PromoteAsync("bob", modelId, v2);
        await RollbackAsync("carol", modelId);
        var after = DateTimeOffset.UtcNow;

        var history = await HistoryAsync(modelId);

        Assert.Equal([(v1, "ROLLED_BACK", "carol"), (v2, "PROMOTED", "bob"), (v1, "PROMOTED", "alice")],
            history.Select(period => (period!["version"]!["id"]!.GetValue<string>(), period["change"]!.GetValue<string>(), period["changedBy"]!.GetValue<string>())));
        Assert.All(history, period => Assert.False(period!["byGate"]!.GetValue<bool>()));
        Assert.Null(history[0]!["to"]);
        Assert.Equal(Time(history[0]!["from"]), Time(history[1]!["to"]));
        Assert.Equal(Time(history[1]!["from"]), Time(history[2]!["to"]));
        Assert.True(Time(history[2]!["from"]) >= before && Time(history[0]!["from"]) <= after,
            $"the periods lie outside the test's promotions ({before:O} to {after:O}): {history.ToJsonString()}");
        Assert.All(history, period => Assert.True(Time(period!["from"]) < (Time(period["to"]) ?? DateTimeOffset.MaxValue), history.ToJsonString()));
    }

    [Fact]
    public async Task a_gate_promotion_names_the_gate_and_the_evaluation_it_passed()
    {
        var modelId = await RegisterModelAsync("liver-gated");
        var v1 = await RegisterVersionAsync(modelId);
        await PromoteAsync("alice", modelId, v1);
        await api.RunAsync("mutation($input: SetPromotionGateInput!) { setPromotionGate(input: $input) { id } }",
            new { input = new { modelId, margin = 0.01, autoPromote = true } });
        var v2 = await RegisterVersionAsync(modelId);
        await api.RunAsync("mutation($input: RecordModelEvaluationInput!) { recordModelEvaluation(input: $input) { stage } }", new
        {
            input = new
            {
                modelId, versionId = v2, productionVersionId = v1,
                sets = new[] { new { split = "TEST", metric = "dice", caseCount = 8, candidate = 0.85, production = 0.8 } },
            },
        });

        var newest = (await HistoryAsync(modelId))[0]!;

        Assert.Equal(v2, newest["version"]!["id"]!.GetValue<string>());
        Assert.True(newest["byGate"]!.GetValue<bool>());
        Assert.Equal("evaluation-gate", newest["changedBy"]!.GetValue<string>());
        Assert.Equal("Passed the evaluation gate within the margin 0.01: dice 0.85 on the test set (8 cases) against production's 0.8.",
            newest["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_manual_promotion_and_a_rollback_show_the_reason_the_engineer_gave_trimmed()
    {
        var modelId = await RegisterModelAsync("liver-reasons");
        var v1 = await RegisterVersionAsync(modelId);
        var v2 = await RegisterVersionAsync(modelId);
        await PromoteAsync("alice", modelId, v1, "  first clinical release  ");
        await PromoteAsync("bob", modelId, v2, "   ");
        await RollbackAsync("carol", modelId, "v2 misses small lesions on the night scanner");

        var history = await HistoryAsync(modelId);

        Assert.Equal(["v2 misses small lesions on the night scanner", null, "first clinical release"],
            history.Select(period => period!["reason"]?.GetValue<string>()));
    }

    [Fact]
    public async Task a_reason_over_the_limit_is_refused_as_reason_too_long_and_production_is_unchanged()
    {
        var modelId = await RegisterModelAsync("liver-long-reason");
        var v1 = await RegisterVersionAsync(modelId);

        var refused = await api.PostAsAsync(("alice", "ml-engineer"),
            "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId = v1, expectedVersion = await api.ModelVersionAsync(modelId), reason = new string('x', StatedReason.MaxLength + 1) } });

        Assert.Equal("REASON_TOO_LONG", refused.FirstErrorCode);
        Assert.Equal(StatedReason.MaxLength, refused.Errors![0]!["extensions"]!["data"]!["maxLength"]!.GetValue<int>());
        Assert.Empty(await HistoryAsync(modelId));
    }

    [Fact]
    public async Task a_promotion_stored_before_reasons_existed_reads_as_no_reason()
    {
        var modelId = await RegisterModelAsync("liver-old-events");
        var v1 = await RegisterVersionAsync(modelId);
        await PromoteAsync("alice", modelId, v1, "will be stripped");
        // Rewrite the stored event as an older build wrote it: without the property at all.
        await using (var connection = new NpgsqlConnection(api.Postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "update cl2.mt_events set data = data - 'Reason' - 'reason' where stream_id = @stream and (data ? 'Reason' or data ? 'reason')", connection);
            command.Parameters.AddWithValue("stream", Guid.Parse(modelId));
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var period = Assert.Single(await HistoryAsync(modelId))!;

        Assert.Equal(v1, period["version"]!["id"]!.GetValue<string>());
        Assert.Null(period["reason"]);
    }

    [Fact]
    public async Task a_model_never_in_production_has_an_empty_history()
    {
        var modelId = await RegisterModelAsync("liver-new");
        await RegisterVersionAsync(modelId);

        Assert.Empty(await HistoryAsync(modelId));
    }

    [Fact]
    public async Task the_history_of_an_unknown_model_is_refused_as_model_not_found()
    {
        var refused = await api.PostAsync("query($model: ID!) { productionHistory(model: $model) { from } }", new { model = Guid.NewGuid() });

        Assert.Equal("MODEL_NOT_FOUND", refused.FirstErrorCode);
    }

    [Fact]
    public async Task each_model_in_a_list_has_its_own_history()
    {
        var first = await RegisterModelAsync("a-liver");
        var second = await RegisterModelAsync("b-liver");
        var firstVersion = await RegisterVersionAsync(first);
        var secondVersion = await RegisterVersionAsync(second);
        await PromoteAsync("alice", first, firstVersion);
        await PromoteAsync("bob", second, secondVersion);

        var models = (await api.RunAsync("{ models(first: 5) { items { id productionHistory { version { id } changedBy } } } }"))["models"]!["items"]!.AsArray();

        Assert.Equal([(first, firstVersion, "alice"), (second, secondVersion, "bob")], models.Select(model => (
            model!["id"]!.GetValue<string>(), model["productionHistory"]![0]!["version"]!["id"]!.GetValue<string>(),
            model["productionHistory"]![0]!["changedBy"]!.GetValue<string>())));
        Assert.All(models, model => Assert.Single(model!["productionHistory"]!.AsArray()));
    }
}
