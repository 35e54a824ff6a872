using System.Globalization;
using System.Text.Json.Nodes;
using Cl2.Labeling.Shadow;
using Marten;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task the_report_over_many_results_gives_the_figures_of_averaging_them_one_by_one()
    {
        var (modelId, v1, v2) = await RegistryAsync();
        var random = new Random(20);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // Agreements in 1/1024 steps over 1, 2 or 4 labels: every sum is exact in any order, so the database's means and those
        // computed here agree to the last bit (a sum of arbitrary doubles depends on the order of its terms); times with
        // 100 ns ticks, recorded out of order.
        string[] names = ["kidney", "lesion", "liver", "vessel"];
        ShadowResultRecorded Result(Guid versionId, Guid productionVersionId)
        {
            var labels = names.OrderBy(_ => random.Next()).Take(1 << random.Next(3))
                .Select(label => new LabelAgreement(label, random.Next(1025) / 1024.0)).ToArray();
            return new ShadowResultRecorded(Guid.NewGuid(), Guid.Parse(modelId), versionId, productionVersionId, Guid.NewGuid(), NewStudy(), labels,
                labels.Average(label => label.Agreement), "inference", start.AddTicks(random.NextInt64(TimeSpan.TicksPerDay)));
        }
        var shadowed = Enumerable.Range(0, 200).Select(_ => Result(Guid.Parse(v2), Guid.Parse(v1))).ToArray();
        var other = Enumerable.Range(0, 7).Select(_ => Result(Guid.Parse(v1), Guid.Parse(v2))).ToArray();
        await using (var session = api.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            foreach (var recorded in shadowed.Concat(other))
            {
                session.Events.StartStream<ShadowResult>(recorded.ShadowResultId, recorded);
            }
            await session.SaveChangesAsync();
        }

        var reports = await api.RunAsync("""
            query($v1: ID!, $v2: ID!) {
              a: modelVersion(id: $v2) { shadowReport { studies since lastRecordedAt meanAgreementWithProduction labels { label agreement } } }
              b: modelVersion(id: $v1) { shadowReport { studies since lastRecordedAt meanAgreementWithProduction labels { label agreement } } }
            }
            """, new { v1, v2 });

        Assert.Equal(Averaged(shadowed), Read(reports["a"]!["shadowReport"]!));
        Assert.Equal(Averaged(other), Read(reports["b"]!["shadowReport"]!));
    }

    private static string Averaged(IReadOnlyCollection<ShadowResultRecorded> results) => Describe(
        results.Count,
        results.Min(result => result.RecordedAt),
        results.Max(result => result.RecordedAt),
        results.Average(result => result.Agreement),
        results.SelectMany(result => result.Labels).GroupBy(label => label.Label, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => (group.Key, group.Average(label => label.Agreement))));

    private static string Read(JsonNode report) => Describe(
        report["studies"]!.GetValue<int>(),
        DateTimeOffset.Parse(report["since"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(report["lastRecordedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        report["meanAgreementWithProduction"]!.GetValue<double>(),
        report["labels"]!.AsArray().Select(label => (label!["label"]!.GetValue<string>(), label["agreement"]!.GetValue<double>())));

    // One line of every figure, doubles in round-trip form and times in ticks, so that a difference in the last bit or the last 100 ns shows.
    private static string Describe(int studies, DateTimeOffset since, DateTimeOffset last, double mean, IEnumerable<(string Label, double Agreement)> labels) =>
        string.Create(CultureInfo.InvariantCulture, $"{studies} studies, {since.UtcTicks}..{last.UtcTicks}, mean {mean:R}; ")
        + string.Join(", ", labels.Select(label => string.Create(CultureInfo.InvariantCulture, $"{label.Label} {label.Agreement:R}")));

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
