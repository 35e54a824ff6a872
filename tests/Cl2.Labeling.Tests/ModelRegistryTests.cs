using System.Globalization;
using System.Text.Json.Nodes;
using Cl2.Labeling.GraphQL;

namespace Cl2.Labeling.Tests;

public sealed class ModelRegistryTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Artifact = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static readonly string Data = LabelingApi.DigestOf("training data");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("training data");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> RegisterModelAsync(string name) =>
        (await api.RunAsync("""
            mutation($input: RegisterModelInput!) { registerModel(input: $input) { id version } }
            """, new { input = new { name, task = "liver-ct" } }))["registerModel"]!["id"]!.GetValue<string>();

    private async Task<JsonNode> RegisterVersionAsync(string modelId, double dice, string? baseVersionId = null, string[]? labelRevisionIds = null) =>
        (await api.RunAsync("""
            mutation($input: RegisterModelVersionInput!) {
              registerModelVersion(input: $input) {
                id number stage metrics { name value }
                lineage { baseVersionId dataDigest codeVersion labelRevisionIds labelRevisions { id blobDigest } baseVersion { number } }
              }
            }
            """, new
        {
            input = new
            {
                modelId,
                metrics = new[] { new { name = "dice", value = dice } },
                artifactDigest = Artifact,
                baseVersionId,
                labelRevisionIds = labelRevisionIds ?? [],
                feedbackIds = Array.Empty<string>(),
                dataDigest = Data,
                codeVersion = "git:abc123",
            },
        }))["registerModelVersion"]!;

    private Task<GraphQLResponse> PromoteAsync(string modelId, string versionId, int expectedVersion) => api.PostAsync("""
        mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { version productionVersion { id number } } }
        """, new { input = new { modelId, versionId, expectedVersion } });

    private async Task<int?> ProductionNumberAtAsync(string modelId, DateTimeOffset at)
    {
        var data = await api.RunAsync("""
            query($model: ID!, $at: DateTimeOffset!) { productionVersionAt(model: $model, at: $at) { number stage } }
            """, new { model = modelId, at });
        return data["productionVersionAt"] is { } version ? version["number"]!.GetValue<int>() : null;
    }

    [Fact]
    public async Task a_model_version_records_its_lineage_down_to_the_label_revisions_it_was_trained_on()
    {
        var datasetId = (await api.RunAsync("""mutation { createDataset(input: { name: "brain" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, "1.2.9");
        var caseId = (await api.RunAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id } }
            """, new { input = new { datasetId, studyInstanceUids = new[] { "1.2.9" } } }))["addCases"]![0]!["id"]!.GetValue<string>();
        var revisionId = (await api.RunAsync("""
            mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }
            """, new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Data } }))["submitLabel"]!["id"]!.GetValue<string>();

        var modelId = await RegisterModelAsync("brain-tumour");
        var v1 = await RegisterVersionAsync(modelId, 0.80);
        var v2 = await RegisterVersionAsync(modelId, 0.85, v1["id"]!.GetValue<string>(), [revisionId]);

        Assert.Equal(2, v2["number"]!.GetValue<int>());
        Assert.Equal("CANDIDATE", v2["stage"]!.GetValue<string>());
        Assert.Equal(0.85, v2["metrics"]![0]!["value"]!.GetValue<double>());
        var lineage = v2["lineage"]!;
        Assert.Equal(1, lineage["baseVersion"]!["number"]!.GetValue<int>());
        Assert.Equal([revisionId], lineage["labelRevisions"]!.AsArray().Select(revision => revision!["id"]!.GetValue<string>()));
        Assert.Equal("git:abc123", lineage["codeVersion"]!.GetValue<string>());

        var found = (await api.RunAsync("query($id: ID!) { modelVersion(id: $id) { number model { name } } }",
            new { id = v2["id"]!.GetValue<string>() }))["modelVersion"]!;
        Assert.Equal(2, found["number"]!.GetValue<int>());
        Assert.Equal("brain-tumour", found["model"]!["name"]!.GetValue<string>());

        var unknown = await api.PostAsync("""
            mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }
            """, new
        {
            input = new
            {
                modelId, metrics = Array.Empty<object>(), artifactDigest = Artifact, labelRevisionIds = new[] { Guid.NewGuid() },
                dataDigest = Data, codeVersion = "git:abc123",
            },
        });
        Assert.Equal("LABEL_REVISION_NOT_FOUND", unknown.FirstErrorCode);
    }

    [Fact]
    public async Task an_imported_version_is_registered_without_training_lineage_and_says_it_was_imported()
    {
        var modelId = await RegisterModelAsync("hip-import");
        var imported = (await api.RunAsync("""
            mutation($input: RegisterModelVersionInput!) {
              registerModelVersion(input: $input) { number stage lineage { imported importedFrom { sourceDigest description } dataDigest codeVersion } }
            }
            """, new
        {
            input = new
            {
                modelId, metrics = Array.Empty<object>(), artifactDigest = Artifact, codeVersion = "imported",
                importedFrom = new { sourceDigest = Data, description = "hip_densenet.pt (state dict)" },
            },
        }))["registerModelVersion"]!;

        Assert.Equal("CANDIDATE", imported["stage"]!.GetValue<string>());
        var lineage = imported["lineage"]!;
        Assert.True(lineage["imported"]!.GetValue<bool>());
        Assert.Equal(Data, lineage["importedFrom"]!["sourceDigest"]!.GetValue<string>());
        Assert.Equal("hip_densenet.pt (state dict)", lineage["importedFrom"]!["description"]!.GetValue<string>());
        Assert.Null(lineage["dataDigest"]);
        var trained = (await RegisterVersionAsync(modelId, 0.9))["id"]!.GetValue<string>();
        var trainedLineage = (await api.RunAsync("query($id: ID!) { modelVersion(id: $id) { lineage { imported importedFrom { sourceDigest } } } }",
            new { id = trained }))["modelVersion"]!["lineage"]!;
        Assert.False(trainedLineage["imported"]!.GetValue<bool>());
        Assert.Null(trainedLineage["importedFrom"]);
    }

    [Fact]
    public async Task a_version_with_neither_a_data_digest_nor_an_import_source_is_refused_as_invalid_input()
    {
        var modelId = await RegisterModelAsync("no-origin");
        var refused = await api.PostAsync("""
            mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }
            """, new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Artifact, codeVersion = "git:1" } });
        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
    }

    [Fact]
    public async Task a_promotion_decided_on_a_stale_model_version_is_refused_with_a_conflict()
    {
        var modelId = await RegisterModelAsync("liver");
        var v1 = (await RegisterVersionAsync(modelId, 0.9))["id"]!.GetValue<string>();
        var v2 = (await RegisterVersionAsync(modelId, 0.91))["id"]!.GetValue<string>();
        var seen = await api.ModelVersionAsync(modelId);

        var first = await PromoteAsync(modelId, v1, seen);
        Assert.Null(first.Errors);
        Assert.Equal(1, first.Data!["promoteModelVersion"]!["productionVersion"]!["number"]!.GetValue<int>());

        var second = await PromoteAsync(modelId, v2, seen);
        Assert.Equal("MODEL_VERSION_CONFLICT", second.FirstErrorCode);

        var production = (await api.RunAsync("query($model: ID!) { productionVersion(model: $model) { number stage } }", new { model = modelId }))["productionVersion"]!;
        Assert.Equal(1, production["number"]!.GetValue<int>());
        Assert.Equal("PRODUCTION", production["stage"]!.GetValue<string>());

        var retired = (await api.RunAsync("""
            mutation($input: RetireModelVersionInput!) { retireModelVersion(input: $input) { version versions { number stage } } }
            """, new { input = new { modelId, versionId = v2, expectedVersion = await api.ModelVersionAsync(modelId) } }))["retireModelVersion"]!;
        Assert.Equal("RETIRED", retired["versions"]![1]!["stage"]!.GetValue<string>());
        var promoteRetired = await PromoteAsync(modelId, v2, retired["version"]!.GetValue<int>());
        Assert.Equal("MODEL_STAGE_INVALID", promoteRetired.FirstErrorCode);
    }

    [Fact]
    public async Task when_two_engineers_promote_different_versions_at_once_exactly_one_wins()
    {
        var modelId = await RegisterModelAsync("race");
        var v1 = (await RegisterVersionAsync(modelId, 0.9))["id"]!.GetValue<string>();
        var v2 = (await RegisterVersionAsync(modelId, 0.91))["id"]!.GetValue<string>();
        var seen = await api.ModelVersionAsync(modelId);

        var responses = await Task.WhenAll(PromoteAsync(modelId, v1, seen), PromoteAsync(modelId, v2, seen));

        var winner = Assert.Single(responses, response => response.Errors is null);
        var loser = Assert.Single(responses, response => response.Errors is not null);
        Assert.Equal("MODEL_VERSION_CONFLICT", loser.FirstErrorCode);
        var winnerNumber = winner.Data!["promoteModelVersion"]!["productionVersion"]!["number"]!.GetValue<int>();
        var production = (await api.RunAsync("query($model: ID!) { productionVersion(model: $model) { number } }", new { model = modelId }))["productionVersion"]!;
        Assert.Equal(winnerNumber, production["number"]!.GetValue<int>());
        Assert.Equal(seen + 1, await api.ModelVersionAsync(modelId));
    }

    [Fact]
    public async Task production_at_a_past_instant_is_replayed_correctly_across_promotions_and_a_rollback()
    {
        var modelId = await RegisterModelAsync("hip-fracture");
        var v1 = (await RegisterVersionAsync(modelId, 0.7))["id"]!.GetValue<string>();
        var v2 = (await RegisterVersionAsync(modelId, 0.8))["id"]!.GetValue<string>();

        var beforeAny = await Tick();
        Assert.Null((await PromoteAsync(modelId, v1, await api.ModelVersionAsync(modelId))).Errors);
        var duringV1 = await Tick();
        Assert.Null((await PromoteAsync(modelId, v2, await api.ModelVersionAsync(modelId))).Errors);
        var duringV2 = await Tick();
        var rolledBack = await api.RunAsync("""
            mutation($input: RollbackModelInput!) { rollbackModel(input: $input) { productionVersion { number } versions { number stage } } }
            """, new { input = new { modelId, expectedVersion = await api.ModelVersionAsync(modelId) } });
        var afterRollback = await Tick();

        Assert.Equal(1, rolledBack["rollbackModel"]!["productionVersion"]!["number"]!.GetValue<int>());
        Assert.Equal("ROLLED_BACK", rolledBack["rollbackModel"]!["versions"]![1]!["stage"]!.GetValue<string>());
        Assert.Null(await ProductionNumberAtAsync(modelId, beforeAny));
        Assert.Equal(1, await ProductionNumberAtAsync(modelId, duringV1));
        Assert.Equal(2, await ProductionNumberAtAsync(modelId, duringV2));
        Assert.Equal(1, await ProductionNumberAtAsync(modelId, afterRollback));

        var models = (await api.RunAsync("""
            { models(first: 5) { totalCount edges { node { name productionVersion { number } versions { number stage } } } } }
            """))["models"]!;
        Assert.Equal(1, models["totalCount"]!.GetValue<int>());
        Assert.Equal(1, models["edges"]![0]!["node"]!["productionVersion"]!["number"]!.GetValue<int>());
    }

    /// <summary>An instant strictly between two mutations (the host and the test share the machine's clock).</summary>
    [Fact]
    public async Task production_version_at_takes_a_timestamp_with_nanoseconds_as_date_prints_it()
    {
        var modelId = await RegisterModelAsync("nanoseconds");
        var v1 = (await RegisterVersionAsync(modelId, 0.7))["id"]!.GetValue<string>();
        var beforeAny = await Tick();
        Assert.Null((await PromoteAsync(modelId, v1, await api.ModelVersionAsync(modelId))).Errors);
        var duringV1 = await Tick();
        // `date -u +%Y-%m-%dT%H:%M:%S.%NZ`: nine fractional digits, two more than .NET's 100 ns ticks hold.
        static string Nanoseconds(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "68Z";

        foreach (var (at, expected) in new[] { (beforeAny, (int?)null), (duringV1, 1) })
        {
            var asVariable = await api.RunAsync("""
                query($model: ID!, $at: DateTimeOffset!) { productionVersionAt(model: $model, at: $at) { number } }
                """, new { model = modelId, at = Nanoseconds(at) });
            var asLiteral = await api.RunAsync($$"""
                { productionVersionAt(model: "{{modelId}}", at: "{{Nanoseconds(at)}}") { number } }
                """);
            foreach (var data in new[] { asVariable, asLiteral })
            {
                Assert.Equal(expected, data["productionVersionAt"]?["number"]?.GetValue<int>());
            }
        }
    }

    [Fact]
    public void a_nanosecond_timestamp_is_cut_to_100_ns_ticks_not_rounded()
    {
        Assert.Equal("2026-12-05T15:27:21.2910206Z", NanosecondDateTimeOffsetGraphType.Truncate("2026-12-05T15:27:21.291020668Z"));
        Assert.Equal("2026-12-05T15:27:21.291+01:00", NanosecondDateTimeOffsetGraphType.Truncate("2026-12-05T15:27:21.291+01:00"));
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T15:27:21.2910206Z", CultureInfo.InvariantCulture),
            new NanosecondDateTimeOffsetGraphType().ParseValue("2026-12-05T15:27:21.291020699999Z"));
    }

    private static async Task<DateTimeOffset> Tick()
    {
        await Task.Delay(20);
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        return now;
    }

    [Fact]
    public async Task a_model_without_versions_can_be_deleted_and_its_name_registered_again()
    {
        var modelId = await RegisterModelAsync("wrong-task");
        const string Delete = "mutation($input: DeleteModelInput!) { deleteModel(input: $input) }";

        var stale = await api.PostAsync(Delete, new { input = new { modelId, expectedVersion = 7 } });
        await api.RunAsync(Delete, new { input = new { modelId, expectedVersion = 1 } });

        Assert.Equal("MODEL_VERSION_CONFLICT", stale.FirstErrorCode);
        Assert.Null((await api.RunAsync("query($id: ID!) { model(id: $id) { id } }", new { id = modelId }))["model"]);
        Assert.NotEqual(modelId, await RegisterModelAsync("wrong-task"));
    }

    [Fact]
    public async Task a_model_with_a_version_is_not_deleted()
    {
        var modelId = await RegisterModelAsync("trained");
        await RegisterVersionAsync(modelId, 0.8);

        var refused = await api.PostAsync("mutation($input: DeleteModelInput!) { deleteModel(input: $input) }",
            new { input = new { modelId, expectedVersion = await api.ModelVersionAsync(modelId) } });

        Assert.Equal("MODEL_HAS_VERSIONS", refused.FirstErrorCode);
    }
}
