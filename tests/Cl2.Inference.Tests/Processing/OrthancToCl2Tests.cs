using System.Text.Json;
using Cl2.Inference.Tests.Forwarding;

namespace Cl2.Inference.Tests.Processing;

/// <summary>A real Orthanc, playing the hospital PACS, sends a study to CL2; labeling's rules route it and its outcome is recorded there.</summary>
public sealed class OrthancToCl2Tests
{
    [Fact]
    public async Task a_study_orthanc_sends_is_routed_by_its_calling_ae_and_its_outcome_recorded()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        await using var orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)> { ["CL2"] = ("127.0.0.1", platform.DicomPort) });
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "from the PACS", priority = 1, workload = "pass-through", callingAeTitle = orthanc.AeTitle, expectedVersion = 0 } });
        var inference = await platform.StartInferenceAsync(("Inference__Completeness__QuietPeriod", "00:00:01"), ("Inference__Processing__PollInterval", "00:00:00.200"),
            ("Inference__Routing__RefreshInterval", "00:00:00.200"), ("Labeling__BaseAddress", platform.LabelingUrl));
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");
        using var uploaded = await orthanc.Http.PostAsync(new Uri("instances", UriKind.Relative), new ByteArrayContent(await File.ReadAllBytesAsync(ct.Path)));
        uploaded.EnsureSuccessStatusCode();
        var instanceId = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement.GetProperty("ID").GetString()!;

        using var sent = await orthanc.Http.PostAsync(new Uri("modalities/CL2/store", UriKind.Relative), new StringContent(JsonSerializer.Serialize(new[] { instanceId })));
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());

        JsonElement outcomes = default;
        await platform.UntilAsync(async () => (outcomes = (await platform.GraphQLAsync(
            "query($study: String) { inferenceResults(study: $study) { totalCount edges { node { pipeline failure routing { ruleName } } } } }",
            new { study = ct.Study })).GetProperty("inferenceResults")).GetProperty("totalCount").GetInt32() == 1, "the study's outcome", inference, labeling);
        var outcome = outcomes.GetProperty("edges")[0].GetProperty("node");
        Assert.Equal(("pass-through", JsonValueKind.Null, "from the PACS"),
            (outcome.GetProperty("pipeline").GetString(), outcome.GetProperty("failure").ValueKind, outcome.GetProperty("routing").GetProperty("ruleName").GetString()));
    }
}
