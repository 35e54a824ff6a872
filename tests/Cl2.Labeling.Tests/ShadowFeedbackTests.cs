using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cl2.Labeling.Shadow;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests;

/// <summary>A shadow's agreement with radiologists' later verdicts on production's result, against the real PostgreSQL:
/// whichever of the verdict and the shadow result comes first, the comparison is recorded once on the shadow result.</summary>
public sealed class ShadowFeedbackTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Weights = LabelingApi.DigestOf("weights");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("weights");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewStudy() => $"2.25.{Random.Shared.NextInt64(1, long.MaxValue)}";

    /// <summary>A 1×4×4 label volume in the worker's segmentation label format, <paramref name="liver"/> voxels marked 1.</summary>
    private async Task<string> StoreMaskAsync(Range liver)
    {
        var voxels = new byte[16];
        voxels.AsSpan(liver).Fill(1);
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            Write(writer, "labels.json", Encoding.UTF8.GetBytes("""
                {"shape": [1, 4, 4], "spacing": [1, 1, 1], "origin": [0, 0, 0], "orientation": [1, 0, 0, 0, 1, 0], "frameOfReferenceUid": "2.25.1",
                 "referencedSeriesInstanceUids": ["2.25.2"], "labelNames": {"1": "liver"}, "dataFile": "labels.u8"}
                """));
            Write(writer, "labels.u8", voxels);
        }
        return await StoreAsync(tar.ToArray());
    }

    private static void Write(TarWriter writer, string name, byte[] content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });

    private async Task<string> StoreAsync(byte[] content)
    {
        using var stored = await api.Client.PostAsync(new Uri("/blobs", UriKind.Relative), new ByteArrayContent(content));
        stored.EnsureSuccessStatusCode();
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
    }

    private async Task<string> InferAsync(string study, string versionId) =>
        (await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "liver-ct", resultUids = new[] { study + ".9" }, durationMs = 950.0 } }))
        ["recordInferenceResult"]!["id"]!.GetValue<string>();

    private async Task<JsonNode> RecordShadowAsync(string productionResultId, string versionId, double agreementWithProduction, string? outputDigest) =>
        (await api.RunAsync("""
            mutation($input: RecordShadowResultInput!) {
              recordShadowResult(input: $input) { id outputDigest feedback { verdict agreement unscored labels { label agreement } } }
            }
            """, new { input = new { productionResultId, versionId, labels = new[] { new { label = "liver", agreement = agreementWithProduction } }, outputDigest } }))
        ["recordShadowResult"]!;

    private async Task CorrectAsync(string productionResultId, string correctionDigest)
    {
        var caseId = (await api.RunAsync("mutation($input: OpenCorrectionCaseInput!) { openCorrectionCase(input: $input) { id } }",
            new { input = new { inferenceResultId = productionResultId } }))["openCorrectionCase"]!["id"]!.GetValue<string>();
        var revisionId = (await api.RunAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = correctionDigest } }))["submitLabel"]!["id"]!.GetValue<string>();
        await JudgeAsync(productionResultId, "CORRECT", revisionId);
    }

    private Task<JsonNode> JudgeAsync(string productionResultId, string verdict, string? correctedLabelRevisionId = null) =>
        api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = productionResultId, verdict, correctedLabelRevisionId } });

    private async Task<JsonNode?> ShadowFeedbackAsync(string productionResultId, string versionId) =>
        (await RecordShadowAsync(productionResultId, versionId, 1, null))["feedback"];

    private async Task<JsonNode> FeedbackReportAsync(string versionId) =>
        (await api.RunAsync("""
            query($id: ID!) { modelVersion(id: $id) { shadowReport { feedback { studies meanAgreement corrected correctedCompared accepted rejected labels { label agreement } } } } }
            """, new { id = versionId }))["modelVersion"]!["shadowReport"]!["feedback"]!;

    private async Task<int> ComparisonsAsync(string shadowResultId)
    {
        await using var session = api.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(Guid.Parse(shadowResultId))).Count(@event => @event.Data is ShadowComparedWithFeedback);
    }

    [Fact]
    public async Task a_correction_given_after_the_shadow_ran_is_compared_with_the_shadows_mask()
    {
        var (_, v1, v2) = await api.ModelWithCandidateAsync(Weights);
        var production = await InferAsync(NewStudy(), v1);
        var shadow = await RecordShadowAsync(production, v2, 0.8, await StoreMaskAsync(4..12));

        await CorrectAsync(production, await StoreMaskAsync(0..8));

        var feedback = (await ShadowFeedbackAsync(production, v2))!;
        Assert.Equal("CORRECT", feedback["verdict"]!.GetValue<string>());
        // Four voxels in common of eight and eight.
        Assert.Equal(0.5, feedback["agreement"]!.GetValue<double>(), 6);
        Assert.Equal(1, await ComparisonsAsync(shadow["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_correction_given_before_the_shadow_ran_is_compared_when_the_shadow_result_is_recorded()
    {
        var (_, v1, v2) = await api.ModelWithCandidateAsync(Weights);
        var production = await InferAsync(NewStudy(), v1);
        await CorrectAsync(production, await StoreMaskAsync(0..8));

        var shadow = await RecordShadowAsync(production, v2, 0.8, await StoreMaskAsync(0..6));

        // 2·6 / (8 + 6).
        Assert.Equal(12.0 / 14, shadow["feedback"]!["agreement"]!.GetValue<double>(), 6);
        Assert.Equal([("liver", Math.Round(12.0 / 14, 6))],
            shadow["feedback"]!["labels"]!.AsArray().Select(label => (label!["label"]!.GetValue<string>(), Math.Round(label["agreement"]!.GetValue<double>(), 6))));
    }

    [Fact]
    public async Task recording_the_shadow_result_again_after_the_correction_compares_it_once()
    {
        var (_, v1, v2) = await api.ModelWithCandidateAsync(Weights);
        var production = await InferAsync(NewStudy(), v1);
        var output = await StoreMaskAsync(0..8);
        await CorrectAsync(production, await StoreMaskAsync(0..8));

        var first = await RecordShadowAsync(production, v2, 0.8, output);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RecordShadowAsync(production, v2, 0.8, output)));
        await RecordShadowAsync(production, v2, 0.8, output);

        Assert.Equal(1.0, first["feedback"]!["agreement"]!.GetValue<double>(), 6);
        Assert.Equal(1, await ComparisonsAsync(first["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_shadow_without_its_output_kept_is_counted_as_corrected_but_not_compared()
    {
        var (_, v1, v2) = await api.ModelWithCandidateAsync(Weights);
        var production = await InferAsync(NewStudy(), v1);
        await RecordShadowAsync(production, v2, 0.8, null);

        await CorrectAsync(production, await StoreMaskAsync(0..8));

        var feedback = (await ShadowFeedbackAsync(production, v2))!;
        Assert.Null(feedback["agreement"]);
        Assert.Contains("not kept", feedback["unscored"]!.GetValue<string>());
        var report = await FeedbackReportAsync(v2);
        Assert.Equal((1, 1, 0), (report["studies"]!.GetValue<int>(), report["corrected"]!.GetValue<int>(), report["correctedCompared"]!.GetValue<int>()));
    }

    [Fact]
    public async Task the_feedback_report_averages_the_verdicts_that_name_a_right_answer_over_a_versions_studies()
    {
        var (_, v1, v2) = await api.ModelWithCandidateAsync(Weights);
        var corrected = await InferAsync(NewStudy(), v1);
        var accepted = await InferAsync(NewStudy(), v1);
        var rejected = await InferAsync(NewStudy(), v1);
        await RecordShadowAsync(corrected, v2, 0.8, await StoreMaskAsync(4..12));
        await RecordShadowAsync(accepted, v2, 0.9, await StoreMaskAsync(0..8));
        await RecordShadowAsync(rejected, v2, 0.3, await StoreMaskAsync(0..8));
        await RecordShadowAsync(await InferAsync(NewStudy(), v1), v2, 0.1, null);

        await CorrectAsync(corrected, await StoreMaskAsync(0..8));
        // Production was right: the shadow agreed with the radiologist as far as it agreed with production.
        await JudgeAsync(accepted, "ACCEPT");
        await JudgeAsync(rejected, "REJECT");

        var report = await FeedbackReportAsync(v2);
        Assert.Equal((3, 1, 1, 1, 1), (report["studies"]!.GetValue<int>(), report["corrected"]!.GetValue<int>(), report["correctedCompared"]!.GetValue<int>(),
            report["accepted"]!.GetValue<int>(), report["rejected"]!.GetValue<int>()));
        Assert.Equal((0.5 + 0.9) / 2, report["meanAgreement"]!.GetValue<double>(), 6);
        Assert.Equal((0.5 + 0.9) / 2, Assert.Single(report["labels"]!.AsArray())!["agreement"]!.GetValue<double>(), 6);
    }

    [Fact]
    public async Task an_output_digest_that_names_no_stored_blob_is_refused()
    {
        var (_, v1, v2) = await api.ModelWithCandidateAsync(Weights);
        var production = await InferAsync(NewStudy(), v1);

        var refused = await api.PostAsync("""
            mutation($input: RecordShadowResultInput!) { recordShadowResult(input: $input) { id } }
            """, new
        {
            input = new
            {
                productionResultId = production, versionId = v2, labels = new[] { new { label = "liver", agreement = 1.0 } },
                outputDigest = LabelingApi.DigestOf("never stored")
            }
        });

        Assert.Equal("BLOB_NOT_FOUND", refused.FirstErrorCode);
    }
}
