using System.Text.Json;
using Cl2.Inference.Tests.Forwarding;

namespace Cl2.Inference.Tests.Processing;

/// <summary>A promotion reaches the next study without a restart of inference, and each outcome names exactly one version.</summary>
public sealed class HotSwapTests
{
    private static readonly string Digest = "sha256:" + new string('a', 64);

    private static async Task<string> RegisterVersionAsync(StudyForwardingTests.Platform platform, string modelId) =>
        (await platform.GraphQLAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:test" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString()!;

    private static async Task PromoteAsync(StudyForwardingTests.Platform platform, string modelId, string versionId)
    {
        var version = (await platform.GraphQLAsync("query($id: ID!) { model(id: $id) { version } }", new { id = modelId })).GetProperty("model").GetProperty("version").GetInt32();
        await platform.GraphQLAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = version } });
    }

    private static async Task<JsonElement> OutcomesAsync(StudyForwardingTests.Platform platform, string study) =>
        (await platform.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { totalCount edges { node { failure versionId } } } }",
            new { study })).GetProperty("inferenceResults");

    [Fact]
    public async Task a_version_promoted_while_inference_runs_is_the_one_the_next_study_names()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var modelId = (await platform.GraphQLAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }"""))
            .GetProperty("registerModel").GetProperty("id").GetString()!;
        var first = await RegisterVersionAsync(platform, modelId);
        var second = await RegisterVersionAsync(platform, modelId);
        await PromoteAsync(platform, modelId, first);
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "liver CT", priority = 1, workload = "liver-ct", modelName = "liver", modality = "CT", expectedVersion = 0 } });
        // Only the modelPromoted subscription can make the second study see the promotion: polling would take an hour.
        var inference = await platform.StartInferenceAsync(("Inference__Completeness__QuietPeriod", "00:00:01"), ("Inference__Processing__PollInterval", "00:00:00.200"),
            ("Inference__Routing__RefreshInterval", "00:00:00.200"), ("Inference__Serving__PollInterval", "01:00:00"), ("Labeling__BaseAddress", platform.LabelingUrl));
        var before = await platform.CorpusCopyAsync("CT_small.dcm");
        var after = await platform.CorpusCopyAsync("CT_small.dcm", newSopInstanceUid: before.SopInstance + ".2", studyInstanceUid: before.Study + ".2");

        await platform.StoreScuAsync(before.Path);
        await platform.UntilAsync(async () => (await OutcomesAsync(platform, before.Study)).GetProperty("totalCount").GetInt32() == 1, "the first study's outcome", inference, labeling);
        await PromoteAsync(platform, modelId, second);
        // The promotion reaches inference by the subscription a moment after labeling commits it; a study completing within
        // that moment is still the old version's (one version per study either way). On this shared machine the moment can be long.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await platform.StoreScuAsync(after.Path);
        await platform.UntilAsync(async () => (await OutcomesAsync(platform, after.Study)).GetProperty("totalCount").GetInt32() == 1, "the second study's outcome", inference, labeling);

        var named = new List<string>();
        foreach (var study in new[] { before.Study, after.Study })
        {
            var outcome = (await OutcomesAsync(platform, study)).GetProperty("edges")[0].GetProperty("node");
            Assert.Equal("WORKLOAD_FAILED", outcome.GetProperty("failure").GetString()); // the versions name a checkpoint the blob store does not hold
            named.Add(outcome.GetProperty("versionId").GetString()!);
        }
        Assert.True(named.SequenceEqual([first, second]), $"versions named: {string.Join(", ", named)}; promoted {first}, then {second}\n{inference.Output}");
    }
}
