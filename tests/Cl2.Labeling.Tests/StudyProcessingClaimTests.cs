using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>Inference replicas ask labeling which of them runs a study's pipeline (claimStudyProcessing, finishStudyProcessing).</summary>
public sealed class StudyProcessingClaimTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Claim = "mutation($input: ClaimStudyProcessingInput!) { claimStudyProcessing(input: $input) { granted state instanceCount replica retryAt } }";
    private const string Finish = "mutation($input: FinishStudyProcessingInput!) { finishStudyProcessing(input: $input) }";
    private const string PartReceived = "mutation($input: RecordStudyPartReceivedInput!) { recordStudyPartReceived(input: $input) }";
    private const string PartForwarded = "mutation($input: RecordStudyPartForwardedInput!) { recordStudyPartForwarded(input: $input) }";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonNode> ClaimAsync(string study, string replica, int quietSeconds = 0, int leaseSeconds = 60) =>
        (await api.RunAsync(Claim, new { input = new { studyInstanceUid = study, replica, quietSeconds, leaseSeconds } }))["claimStudyProcessing"]!;

    [Fact]
    public async Task concurrent_claims_of_a_quiet_study_grant_it_to_exactly_one_replica()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.71");

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(replica => ClaimAsync("1.2.840.71", $"inference-{replica}")));

        var granted = Assert.Single(claims, claim => claim["granted"]!.GetValue<bool>());
        Assert.Equal(("GRANTED", 1), (granted["state"]!.GetValue<string>(), granted["instanceCount"]!.GetValue<int>()));
        Assert.All(claims.Where(claim => !claim["granted"]!.GetValue<bool>()), refused => Assert.Equal(("HELD", granted["replica"]!.GetValue<string>()),
            (refused["state"]!.GetValue<string>(), refused["replica"]!.GetValue<string>())));
    }

    [Fact]
    public async Task a_study_the_archive_stored_within_the_quiet_period_is_not_claimed()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.72");

        var claim = await ClaimAsync("1.2.840.72", "inference-0", quietSeconds: 600);

        Assert.Equal((false, "NOT_QUIET"), (claim["granted"]!.GetValue<bool>(), claim["state"]!.GetValue<string>()));
        Assert.True(claim["retryAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(5), $"retry after the quiet period: {claim}");
    }

    [Fact]
    public async Task a_study_processed_at_the_archives_count_is_not_claimed_again()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.73");
        Assert.True((await ClaimAsync("1.2.840.73", "inference-0"))["granted"]!.GetValue<bool>());
        Assert.True((await api.RunAsync(Finish, new { input = new { studyInstanceUid = "1.2.840.73", replica = "inference-0", instanceCount = 1 } }))
            ["finishStudyProcessing"]!.GetValue<bool>());

        var again = await ClaimAsync("1.2.840.73", "inference-1");

        Assert.Equal((false, "PROCESSED", "inference-0"), (again["granted"]!.GetValue<bool>(), again["state"]!.GetValue<string>(), again["replica"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_claim_whose_lease_ran_out_goes_to_the_next_replica_that_asks()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.74");
        Assert.True((await ClaimAsync("1.2.840.74", "inference-0", leaseSeconds: 1))["granted"]!.GetValue<bool>());
        Assert.Equal("HELD", (await ClaimAsync("1.2.840.74", "inference-1"))["state"]!.GetValue<string>());

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var takenOver = await ClaimAsync("1.2.840.74", "inference-1");

        Assert.Equal((true, "inference-1"), (takenOver["granted"]!.GetValue<bool>(), takenOver["replica"]!.GetValue<string>()));
    }

    [Fact]
    public async Task finishing_a_study_nobody_claimed_is_refused_with_a_code()
    {
        var refused = await api.PostAsync(Finish, new { input = new { studyInstanceUid = "1.2.840.75", replica = "inference-0", instanceCount = 1 } });

        Assert.Equal("STUDY_PROCESSING_NOT_CLAIMED", refused.FirstErrorCode);
    }

    [Fact]
    public async Task a_study_is_not_claimed_while_another_replica_has_a_part_of_it_pending()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.76");
        var until = (await api.RunAsync(PartReceived, new { input = new { studyInstanceUid = "1.2.840.76", replica = "inference-1", pendingSeconds = 600 } }))
            ["recordStudyPartReceived"]!.GetValue<DateTimeOffset>();
        Assert.True(until > DateTimeOffset.UtcNow.AddMinutes(5), $"pending for the wait asked for: {until}");

        var refused = await ClaimAsync("1.2.840.76", "inference-0");
        Assert.Equal((false, "PARTS_PENDING", "inference-1"), (refused["granted"]!.GetValue<bool>(), refused["state"]!.GetValue<string>(), refused["replica"]!.GetValue<string>()));

        await api.RunAsync(PartForwarded, new { input = new { studyInstanceUid = "1.2.840.76", replica = "inference-1" } });
        var granted = await ClaimAsync("1.2.840.76", "inference-0");

        Assert.Equal((true, "GRANTED"), (granted["granted"]!.GetValue<bool>(), granted["state"]!.GetValue<string>()));
    }
}
