using Cl2.Labeling.Archive;
using Cl2.Labeling.Inference;

namespace Cl2.Labeling.Tests;

/// <summary>The study claim with parts of the study pending on other replicas (recordStudyPartReceived), without a database.</summary>
public sealed class StudyProcessingClaimDecideTests
{
    private const string Study = "1.2.840.81";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);
    private static readonly StudyInArchive QuietArchive = new(3, TimeSpan.FromMinutes(1));

    private static ClaimStudyProcessing Claim(string replica) => new(Study, replica, QuietSeconds: 5, LeaseSeconds: 60);

    private static StudyProcessing PendingOn(string replica, DateTimeOffset until) =>
        StudyProcessing.Create((StudyPartReceived)RecordStudyPartReceived.Decide(null,
            new RecordStudyPartReceived(Study, replica, (int)(until - Now).TotalSeconds), "inference", Now).Single());

    [Fact]
    public void a_study_with_a_part_pending_on_another_replica_is_not_claimed()
    {
        var processing = PendingOn("inference-b", Now.AddMinutes(5));

        Assert.Empty(ClaimStudyProcessing.Decide(processing, QuietArchive, Claim("inference-a"), "inference", Now));
        var answer = ClaimStudyProcessing.Answer(processing, QuietArchive, Claim("inference-a"), Now);
        Assert.Equal((false, StudyProcessingClaimState.PartsPending, "inference-b", Now.AddSeconds(5)),
            (answer.Granted, answer.State, answer.Replica, answer.RetryAt));
    }

    [Fact]
    public void the_asking_replicas_own_pending_part_does_not_hold_up_its_claim()
    {
        var processing = PendingOn("inference-a", Now.AddMinutes(5));

        var claimed = Assert.IsType<StudyProcessingClaimed>(Assert.Single(ClaimStudyProcessing.Decide(processing, QuietArchive, Claim("inference-a"), "inference", Now)));

        Assert.Equal(("inference-a", 3), (claimed.Replica, claimed.InstanceCount));
    }

    [Fact]
    public void a_pending_part_whose_wait_ran_out_no_longer_holds_up_the_claim()
    {
        var processing = PendingOn("inference-b", Now.AddSeconds(30));

        Assert.Empty(ClaimStudyProcessing.Decide(processing, QuietArchive, Claim("inference-a"), "inference", Now.AddSeconds(29)));
        var claimed = Assert.Single(ClaimStudyProcessing.Decide(processing, QuietArchive, Claim("inference-a"), "inference", Now.AddSeconds(30)));

        Assert.Equal("inference-a", Assert.IsType<StudyProcessingClaimed>(claimed).Replica);
    }

    [Fact]
    public void a_forwarded_part_no_longer_holds_up_the_claim()
    {
        var pending = PendingOn("inference-b", Now.AddMinutes(5));
        var forwarded = StudyProcessing.Apply((StudyPartForwarded)RecordStudyPartForwarded.Decide(pending,
            new RecordStudyPartForwarded(Study, "inference-b"), "inference", Now).Single(), pending);

        Assert.Single(ClaimStudyProcessing.Decide(forwarded, QuietArchive, Claim("inference-a"), "inference", Now));
        Assert.Empty(RecordStudyPartForwarded.Decide(forwarded, new RecordStudyPartForwarded(Study, "inference-b"), "inference", Now));
    }

    /// <summary>What replica b says of its part: received through <paramref name="through"/> (now), then applied.</summary>
    private static StudyProcessing? Received(StudyProcessing? processing, DateTimeOffset through) =>
        RecordStudyPartReceived.Decide(processing, new RecordStudyPartReceived(Study, "inference-b", 300, through), "inference", Now) is [StudyPartReceived received]
            ? processing is null ? StudyProcessing.Create(received) : StudyProcessing.Apply(received, processing)
            : processing;

    private static StudyProcessing? Forwarded(StudyProcessing? processing, DateTimeOffset through) =>
        RecordStudyPartForwarded.Decide(processing, new RecordStudyPartForwarded(Study, "inference-b", through), "inference", Now) is [StudyPartForwarded forwarded]
            ? StudyProcessing.Apply(forwarded, processing!)
            : processing;

    [Fact]
    public void a_received_report_that_the_replicas_forward_covers_does_not_put_its_part_back()
    {
        var arrived = Now.AddSeconds(-3);
        var forwarded = Forwarded(Received(null, arrived), arrived);

        var stale = Received(forwarded, arrived);

        Assert.Empty(stale!.PendingParts!);
        Assert.Single(ClaimStudyProcessing.Decide(stale, QuietArchive, Claim("inference-a"), "inference", Now));
    }

    [Fact]
    public void instances_that_arrive_after_the_replicas_forward_are_waited_for_again()
    {
        var forwarded = Forwarded(Received(null, Now.AddSeconds(-3)), Now.AddSeconds(-3));

        var more = Received(forwarded, Now.AddSeconds(-1));

        Assert.Equal([new PendingStudyPart("inference-b", Now.AddSeconds(300), Now.AddSeconds(-1))], more!.PendingParts);
    }

    [Fact]
    public void a_forward_older_than_the_newest_instance_received_leaves_the_part_pending()
    {
        var received = Received(Received(null, Now.AddSeconds(-3)), Now.AddSeconds(-1));

        var early = Forwarded(received, Now.AddSeconds(-3));

        Assert.Equal(["inference-b"], early!.PendingParts!.Select(part => part.Replica));
        Assert.Empty(ClaimStudyProcessing.Decide(early, QuietArchive, Claim("inference-a"), "inference", Now));
    }

    [Fact]
    public void a_renewed_part_is_waited_for_until_its_new_time()
    {
        var processing = PendingOn("inference-b", Now.AddSeconds(30));
        var renewal = (StudyPartReceived)RecordStudyPartReceived.Decide(processing, new RecordStudyPartReceived(Study, "inference-b", 60), "inference", Now.AddSeconds(20)).Single();
        var renewed = StudyProcessing.Apply(renewal, processing);

        Assert.Equal([new PendingStudyPart("inference-b", Now.AddSeconds(80))], renewed.PendingParts);
        Assert.Empty(ClaimStudyProcessing.Decide(renewed, QuietArchive, Claim("inference-a"), "inference", Now.AddSeconds(60)));
    }

    [Fact]
    public void a_part_pending_after_a_claim_holds_up_the_next_claim_not_the_holders_lease()
    {
        var claimed = StudyProcessing.Create((StudyProcessingClaimed)ClaimStudyProcessing.Decide(null, QuietArchive, Claim("inference-a"), "inference", Now).Single());
        var processing = StudyProcessing.Apply(new StudyPartReceived(claimed.Id, Study, "inference-b", Now.AddMinutes(5), "inference", Now), claimed);

        Assert.Equal(StudyProcessingClaimState.Granted, ClaimStudyProcessing.Answer(processing, QuietArchive, Claim("inference-a"), Now).State);
        Assert.Equal(StudyProcessingClaimState.Held, ClaimStudyProcessing.Answer(processing, QuietArchive, Claim("inference-c"), Now).State);
    }

    [Fact]
    public void a_part_of_a_study_that_is_not_a_uid_is_refused()
    {
        var refused = Assert.Throws<DomainException>(() => RecordStudyPartReceived.Decide(null, new RecordStudyPartReceived("not a uid", "inference-b", 60), "inference", Now));

        Assert.Equal(ErrorCodes.InvalidInput, refused.Code);
    }
}
