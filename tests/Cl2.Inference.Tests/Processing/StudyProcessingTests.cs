using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.UpperLayer;
using Cl2.Inference.Tests.Forwarding;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// The inference process, DCMTK's storescu, the labeling process and PostgreSQL, all real: a study storescu sends is
/// complete after its quiet period, routed by the rules saved in labeling, and its outcome recorded there with the
/// routing decision and stage timings.
/// </summary>
public sealed class StudyProcessingTests
{
    private const string SaveRule = "mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }";

    private static readonly (string, string)[] FastRouting =
    [
        ("Inference__Completeness__QuietPeriod", "00:00:01"),
        ("Inference__Processing__PollInterval", "00:00:00.200"),
        ("Inference__Routing__RefreshInterval", "00:00:00.200"),
    ];

    private static async Task<JsonElement> OutcomeAsync(StudyForwardingTests.Platform platform, string study) =>
        (await platform.GraphQLAsync("""
            query($study: String) { inferenceResults(study: $study) { totalCount edges { node { pipeline failure failureReason versionId
              routing { tableVersion ruleName explanation } stages { stage durationMs } } } } }
            """, new { study })).GetProperty("inferenceResults");

    /// <summary>Labeling with one rule (CT studies go pass-through), then inference routing by it, both started.</summary>
    private static async Task<(BackgroundProcess Labeling, BackgroundProcess Inference)> StartWithCtRuleAsync(StudyForwardingTests.Platform platform,
        PostgresCluster postgres, params (string, string)[] settings)
    {
        var labeling = await platform.StartLabelingAsync(postgres);
        await platform.GraphQLAsync(SaveRule, new { input = new { name = "CT studies", priority = 1, workload = "pass-through", modality = "CT", expectedVersion = 0 } });
        return (labeling, await platform.StartInferenceAsync([.. FastRouting, ("Labeling__BaseAddress", platform.LabelingUrl), .. settings]));
    }

    [Fact]
    public async Task a_study_a_pass_through_rule_matches_is_recorded_once_with_its_rule_and_stage_timings()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var (labeling, inference) = await StartWithCtRuleAsync(platform, postgres);
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");

        await platform.StoreScuAsync(ct.Path);
        await platform.UntilAsync(async () => (await OutcomeAsync(platform, ct.Study)).GetProperty("totalCount").GetInt32() == 1, "the CT study's outcome", inference, labeling);

        var outcome = (await OutcomeAsync(platform, ct.Study)).GetProperty("edges")[0].GetProperty("node");
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("failure").ValueKind);
        Assert.Equal("pass-through", outcome.GetProperty("pipeline").GetString());
        Assert.Equal(("CT studies", 1), (outcome.GetProperty("routing").GetProperty("ruleName").GetString(), outcome.GetProperty("routing").GetProperty("tableVersion").GetInt32()));
        Assert.Equal(["WAIT_FOR_COMPLETENESS", "LOAD"], outcome.GetProperty("stages").EnumerateArray().Select(stage => stage.GetProperty("stage").GetString()));
        Assert.True(File.Exists(Path.Combine(platform.Storage, "routing", "rules.json")), "the routing table is kept on disk");
        await Task.Delay(TimeSpan.FromSeconds(2)); // several polls: a recorded study is not processed again
        Assert.Equal(1, (await OutcomeAsync(platform, ct.Study)).GetProperty("totalCount").GetInt32());
    }

    /// <summary>As if inference died after labeling took the outcome and before the ledger line was written: processed again,
    /// the study's outcome is recorded under the same result id, so labeling keeps the one it has.</summary>
    [Fact]
    public async Task a_study_processed_again_after_its_ledger_line_was_lost_keeps_its_one_recorded_outcome()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var (labeling, inference) = await StartWithCtRuleAsync(platform, postgres);
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");
        await platform.StoreScuAsync(ct.Path);
        await platform.UntilAsync(async () => (await OutcomeAsync(platform, ct.Study)).GetProperty("totalCount").GetInt32() == 1, "the CT study's outcome", inference, labeling);

        await platform.KillAsync(inference);
        var ledger = Path.Combine(platform.Storage, "processing", "ledger");
        File.Delete(ledger);
        inference = await platform.StartInferenceAsync([.. FastRouting, ("Labeling__BaseAddress", platform.LabelingUrl)]);
        await platform.UntilAsync(() => Task.FromResult(File.Exists(ledger) && File.ReadAllText(ledger).Contains(ct.Study, StringComparison.Ordinal)),
            "the study processed and recorded again", inference, labeling);

        Assert.Equal(1, (await OutcomeAsync(platform, ct.Study)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task a_sender_pausing_longer_than_the_quiet_period_inside_one_association_gets_its_study_processed_once()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var (labeling, inference) = await StartWithCtRuleAsync(platform, postgres);
        var first = await platform.CorpusCopyAsync("CT_small.dcm");
        var second = await platform.CorpusCopyAsync("CT_small.dcm", newSopInstanceUid: "1.2.826.0.1.3680043.8.498.4711", studyInstanceUid: first.Study);

        await using (var association = await DicomClientAssociation.OpenAsync("127.0.0.1", platform.DicomPort,
            new DicomClientOptions { CallingAeTitle = "STORESCU", CalledAeTitle = "CL2" },
            [new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None))
        {
            Assert.True((await association.StoreFileAsync(first.Path, CancellationToken.None)).IsSuccess);
            await Task.Delay(TimeSpan.FromSeconds(4)); // four quiet periods, the association still open: a modality that is slow between images
            Assert.True((await association.StoreFileAsync(second.Path, CancellationToken.None)).IsSuccess);
            await association.ReleaseAsync(CancellationToken.None);
        }
        await platform.UntilAsync(async () => (await OutcomeAsync(platform, first.Study)).GetProperty("totalCount").GetInt32() >= 1, "the CT study's outcome", inference, labeling);
        await Task.Delay(TimeSpan.FromSeconds(3)); // several polls and quiet periods: half a study processed first would be processed again now

        Assert.Equal(1, (await OutcomeAsync(platform, first.Study)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task a_study_no_rule_matches_is_recorded_as_such_with_why_each_rule_did_not()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var (labeling, inference) = await StartWithCtRuleAsync(platform, postgres);
        var mr = await platform.CorpusCopyAsync("MR_small.dcm");

        await platform.StoreScuAsync(mr.Path);
        await platform.UntilAsync(async () => (await OutcomeAsync(platform, mr.Study)).GetProperty("totalCount").GetInt32() == 1, "the MR study's outcome", inference, labeling);

        var outcome = (await OutcomeAsync(platform, mr.Study)).GetProperty("edges")[0].GetProperty("node");
        Assert.Equal("NO_RULE_MATCHED", outcome.GetProperty("failure").GetString());
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("versionId").ValueKind);
        var explanation = outcome.GetProperty("routing").GetProperty("explanation").EnumerateArray().Select(line => line.GetString()!).ToList();
        Assert.Contains(explanation, line => line.Contains("rule 'CT studies' (priority 1) did not match", StringComparison.Ordinal)
            && line.Contains("modality is MR, the rule wants CT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_study_received_while_labeling_is_down_is_routed_by_the_kept_table_and_recorded_once_when_it_is_back()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var (labeling, inference) = await StartWithCtRuleAsync(platform, postgres, ("Inference__Processing__MaxRetryDelay", "00:00:01"));
        await platform.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(platform.Storage, "routing", "rules.json"))), "the routing table kept on disk", inference);
        await platform.KillAsync(labeling);
        var ct = await platform.CorpusCopyAsync("CT_small.dcm");

        await platform.StoreScuAsync(ct.Path);
        await Task.Delay(TimeSpan.FromSeconds(3)); // the study completes and its outcome fails to be recorded, more than once
        labeling = await platform.StartLabelingAsync(postgres);
        await platform.UntilAsync(async () => (await OutcomeAsync(platform, ct.Study)).GetProperty("totalCount").GetInt32() == 1, "the CT study's outcome", inference, labeling);
        await Task.Delay(TimeSpan.FromSeconds(2)); // several polls and retry delays: no second outcome

        var outcomes = await OutcomeAsync(platform, ct.Study);
        Assert.Equal(1, outcomes.GetProperty("totalCount").GetInt32());
        Assert.Equal("CT studies", outcomes.GetProperty("edges")[0].GetProperty("node").GetProperty("routing").GetProperty("ruleName").GetString());
    }
}
