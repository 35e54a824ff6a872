using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>Recording what a shadow version made of a study beside production, and the per-version report, against the real PostgreSQL.</summary>
public sealed class ShadowResultsTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("weights");

    private const string Record = """
        mutation($input: RecordShadowResultInput!) {
          recordShadowResult(input: $input) { id studyInstanceUid productionVersionId agreement labels { label agreement } }
        }
        """;

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("weights");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(string ModelId, string V1, string V2)> RegistryAsync() => api.ModelWithCandidateAsync(Digest);

    private static string NewStudy() => $"2.25.{Random.Shared.NextInt64(1, long.MaxValue)}";

    private async Task<string> InferAsync(string study, string versionId) =>
        (await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "liver-ct", resultUids = new[] { study + ".9" }, durationMs = 950.0 } }))
        ["recordInferenceResult"]!["id"]!.GetValue<string>();

    private async Task<JsonNode> RecordAsync(string productionResultId, string versionId, params (string Label, double Agreement)[] labels) =>
        (await api.RunAsync(Record, new { input = new { productionResultId, versionId, labels = labels.Select(label => new { label = label.Label, agreement = label.Agreement }) } }))
        ["recordShadowResult"]!;

    private async Task<JsonNode?> ReportAsync(string versionId) =>
        (await api.RunAsync("query($id: ID!) { modelVersion(id: $id) { shadowReport { studies meanAgreementWithProduction labels { label agreement } } } }",
            new { id = versionId }))["modelVersion"]!["shadowReport"];

    [Fact]
    public async Task a_shadow_result_takes_its_study_and_production_version_from_the_production_result()
    {
        var (_, v1, v2) = await RegistryAsync();
        var study = NewStudy();
        var production = await InferAsync(study, v1);

        var recorded = await RecordAsync(production, v2, ("liver", 0.9), ("lesion", 0.5));

        Assert.Equal((study, v1), (recorded["studyInstanceUid"]!.GetValue<string>(), recorded["productionVersionId"]!.GetValue<string>()));
        Assert.Equal(0.7, recorded["agreement"]!.GetValue<double>(), 6);
    }

    [Fact]
    public async Task the_report_averages_a_versions_agreement_over_its_studies_and_per_label()
    {
        var (_, v1, v2) = await RegistryAsync();
        await RecordAsync(await InferAsync(NewStudy(), v1), v2, ("lesion", 0.2), ("liver", 1.0));
        await RecordAsync(await InferAsync(NewStudy(), v1), v2, ("lesion", 0.6), ("liver", 0.8));

        var report = (await ReportAsync(v2))!;

        Assert.Equal(2, report["studies"]!.GetValue<int>());
        Assert.Equal(0.65, report["meanAgreementWithProduction"]!.GetValue<double>(), 6);
        var labels = report["labels"]!.AsArray().Select(label => (label!["label"]!.GetValue<string>(), Math.Round(label["agreement"]!.GetValue<double>(), 6)));
        Assert.Equal([("lesion", 0.4), ("liver", 0.9)], labels);
        Assert.Null(await ReportAsync(v1));
    }

    [Fact]
    public async Task recording_the_same_shadow_result_again_keeps_the_first()
    {
        var (_, v1, v2) = await RegistryAsync();
        var production = await InferAsync(NewStudy(), v1);
        var first = await RecordAsync(production, v2, ("liver", 0.9));

        var again = await RecordAsync(production, v2, ("liver", 0.9));

        Assert.Equal(first["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());
        Assert.Equal(1, (await ReportAsync(v2))!["studies"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_shadow_result_beside_an_unknown_production_result_is_refused()
    {
        var (_, _, v2) = await RegistryAsync();

        var refused = await api.PostAsync(Record, new { input = new { productionResultId = Guid.NewGuid(), versionId = v2, labels = new[] { new { label = "liver", agreement = 1.0 } } } });

        Assert.Equal("INFERENCE_RESULT_NOT_FOUND", refused.FirstErrorCode);
    }

    [Fact]
    public async Task an_agreement_outside_zero_to_one_is_refused()
    {
        var (_, v1, v2) = await RegistryAsync();
        var production = await InferAsync(NewStudy(), v1);

        var refused = await api.PostAsync(Record, new { input = new { productionResultId = production, versionId = v2, labels = new[] { new { label = "liver", agreement = 1.5 } } } });

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Null(await ReportAsync(v2));
    }

    [Fact]
    public async Task an_annotator_cannot_record_a_shadow_result()
    {
        var (_, v1, v2) = await RegistryAsync();
        var production = await InferAsync(NewStudy(), v1);

        var refused = await api.PostAsAsync(("ann", "annotator"), Record,
            new { input = new { productionResultId = production, versionId = v2, labels = new[] { new { label = "liver", agreement = 1.0 } } } });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
    }
}
