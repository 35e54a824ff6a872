namespace Cl2.Inference.Tests.Forwarding;

/// <summary>Issue 14: a study labeling refused was retried for ever, its count started again at every restart, and
/// nothing but the forwarding list showed it. Now it becomes stuck after Inference:Forwarding:MaxStudyAttempts refusals,
/// stays stuck across a SIGKILL, and /health/ready and GraphQL's stuckStudies say so with the reason.</summary>
public sealed partial class StudyForwardingTests
{
    private const string MaxStudyAttempts = "2";

    [Fact]
    public async Task a_study_labeling_keeps_refusing_is_reported_stuck_with_the_reason_and_stays_stuck_after_a_sigkill()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new Platform();
        var labeling = await platform.StartLabelingAsync(postgres, Platform.SmallElementLimit);
        var inference = await platform.StartInferenceAsync(("Inference__Forwarding__MaxStudyAttempts", MaxStudyAttempts));
        var refused = await platform.CorpusCopyAsync("SC_rgb_small_odd.dcm", referencedImages: Platform.OverSmallElementLimit);

        await platform.StoreScuAsync(refused.Path);
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()).Studies is [{ State: "stuck", Attempts: 2 }], "the study stuck", inference, labeling);
        var (status, description) = await platform.ForwardingCheckAsync();
        await platform.KillAsync(inference);
        inference = await platform.StartInferenceAsync(("Inference__Forwarding__MaxStudyAttempts", MaxStudyAttempts));
        await platform.UntilAsync(async () => (await platform.ForwardingAsync()).Pending == 1, "the study pending again after the restart", inference, labeling);
        var afterRestart = Assert.Single((await platform.ForwardingAsync()).Studies);

        Assert.Equal("Degraded", status);
        Assert.Contains($"1 studies are stuck", description, StringComparison.Ordinal);
        Assert.Contains($"{refused.Study} from STORESCU", description, StringComparison.Ordinal);
        Assert.Contains(Platform.RefusalOfTooManyElements, description, StringComparison.Ordinal);
        Assert.Equal(("stuck", 2), (afterRestart.State, afterRestart.Attempts));
        Assert.Contains(Platform.RefusalOfTooManyElements, afterRestart.LastError, StringComparison.Ordinal);
        Assert.Equal("Degraded", await platform.ForwardingHealthAsync());
    }

    [Fact]
    public async Task a_stuck_study_is_listed_in_graphql_with_the_reason_until_an_admin_retries_it()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new Platform();
        var labeling = await platform.StartLabelingAsync(postgres, Platform.SmallElementLimit);
        var inference = await platform.StartInferenceAsync(("Inference__Forwarding__MaxStudyAttempts", MaxStudyAttempts));
        var refused = await platform.CorpusCopyAsync("SC_rgb_small_odd.dcm", referencedImages: Platform.OverSmallElementLimit);

        await platform.StoreScuAsync(refused.Path);
        await platform.UntilAsync(async () => (await platform.StuckStudiesAsync()).Count == 1, "the stuck study in GraphQL", inference, labeling);
        var stuck = Assert.Single(await platform.StuckStudiesAsync());
        await platform.RetryAsync(refused.Study);
        await platform.UntilAsync(async () => await platform.EventCountAsync(postgres, "study_forwarding_resumed") == 1, "the retry reported to labeling", inference, labeling);

        Assert.Equal((refused.Study, 2), (stuck.Study, stuck.Attempts));
        Assert.Contains(Platform.RefusalOfTooManyElements, stuck.Reason, StringComparison.Ordinal);
    }
}
