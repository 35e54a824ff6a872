using Cl2.Labeling.Cohorts;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>Which replica runs an import and what it may record, without a database or a PACS.</summary>
public sealed class PacsImportLeaseDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private static PacsImport Running(params object[] events)
    {
        var id = Guid.NewGuid();
        var import = PacsImport.Create(new PacsImportStarted(id, Guid.NewGuid(), ["1.2.3", "1.2.4"], false, false, false, "ml", Now));
        foreach (var @event in events)
        {
            import = @event switch
            {
                PacsImportClaimed claimed => PacsImport.Apply(claimed with { ImportId = id }, import),
                StudyImported imported => PacsImport.Apply(imported with { ImportId = id }, import),
                PacsImportCompleted completed => PacsImport.Apply(completed with { ImportId = id }, import),
                PacsImportReleased released => PacsImport.Apply(released with { ImportId = id }, import),
                _ => throw new ArgumentException(@event.ToString()),
            };
        }
        return import;
    }

    private static PacsImportClaimed HeldBy(string replica, DateTimeOffset until) => new(Guid.Empty, replica, until, Now);

    private static StudyImported Study(Guid importId, string uid, int fetched) => new(importId, uid, uid, fetched, 0, Now);

    [Fact]
    public void an_import_nobody_holds_is_claimed_for_the_lease()
    {
        var import = Running();

        var claim = Assert.Single(ClaimPacsImport.Decide(import, "labeling-a", Lease, Now));

        Assert.Equal(new PacsImportClaimed(import.Id, "labeling-a", Now + Lease, Now), claim);
        Assert.Equal(("labeling-a", Now + Lease), (PacsImport.Apply((PacsImportClaimed)claim, import).Holder, PacsImport.Apply((PacsImportClaimed)claim, import).LeaseExpiresAt));
    }

    [Fact]
    public void an_import_another_replica_holds_is_left_to_it_until_its_lease_runs_out()
    {
        var import = Running(HeldBy("labeling-a", Now.AddSeconds(30)));

        Assert.Empty(ClaimPacsImport.Decide(import, "labeling-b", Lease, Now));
        Assert.Empty(ClaimPacsImport.Decide(import, "labeling-b", Lease, Now.AddSeconds(29)));
        Assert.Equal("labeling-b", Assert.IsType<PacsImportClaimed>(Assert.Single(ClaimPacsImport.Decide(import, "labeling-b", Lease, Now.AddSeconds(30)))).Replica);
    }

    [Fact]
    public void a_finished_import_is_claimed_by_nobody()
    {
        var import = Running(HeldBy("labeling-a", Now.AddSeconds(30)), new PacsImportCompleted(Guid.Empty, 2, Now));

        Assert.Empty(ClaimPacsImport.Decide(import, "labeling-b", Lease, Now.AddHours(1)));
        Assert.Empty(ClaimPacsImport.Decide(null, "labeling-b", Lease, Now));
        Assert.Null(import.Holder);
    }

    [Fact]
    public void the_holder_renews_its_lease_and_anyone_else_is_told_the_lease_is_lost()
    {
        var import = Running(HeldBy("labeling-a", Now.AddSeconds(30)));

        var renewed = Assert.IsType<PacsImportLeaseRenewed>(Assert.Single(ClaimPacsImport.Renew(import, import.Id, "labeling-a", Lease, Now.AddSeconds(20))));
        var refused = Assert.Throws<DomainException>(() => ClaimPacsImport.Renew(import, import.Id, "labeling-b", Lease, Now));

        Assert.Equal(Now.AddSeconds(80), PacsImport.Apply(renewed, import).LeaseExpiresAt);
        Assert.Equal(ErrorCodes.PacsImportLeaseLost, refused.Code);
        Assert.Contains("held by labeling-a", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_replica_that_lost_the_import_may_not_record_a_study_or_end_it()
    {
        var import = Running(HeldBy("labeling-a", Now), HeldBy("labeling-b", Now.AddSeconds(90)));

        var study = Assert.Throws<DomainException>(() => RecordStudyImported.Decide(import, Study(import.Id, "1.2.3", 2), "labeling-a"));
        var end = Assert.Throws<DomainException>(() => RecordStudyImported.Complete(import, new PacsImportCompleted(import.Id, 2, Now), "labeling-a"));

        Assert.Equal((ErrorCodes.PacsImportLeaseLost, ErrorCodes.PacsImportLeaseLost), (study.Code, end.Code));
        Assert.Empty(RecordStudyImported.Fail(import, new PacsImportFailed(import.Id, ErrorCodes.PacsFailed, "gone", Now), "labeling-a"));
        Assert.Single(RecordStudyImported.Fail(import, new PacsImportFailed(import.Id, ErrorCodes.PacsFailed, "gone", Now), "labeling-b"));
    }

    [Fact]
    public void a_study_recorded_before_is_not_recorded_or_counted_again()
    {
        var import = Running(HeldBy("labeling-a", Now), Study(Guid.Empty, "1.2.3", 2), HeldBy("labeling-b", Now.AddSeconds(90)));

        Assert.Empty(RecordStudyImported.Decide(import, Study(import.Id, "1.2.3", 0) with { InstancesSkipped = 2 }, "labeling-b"));
        var other = Assert.Single(RecordStudyImported.Decide(import, Study(import.Id, "1.2.4", 1), "labeling-b"));

        var recorded = PacsImport.Apply((StudyImported)other, import);
        Assert.Equal((2, 3, 0), (recorded.StudiesImported, recorded.InstancesFetched, recorded.InstancesSkipped));
    }

    [Fact]
    public void an_import_its_holder_gives_back_is_claimable_at_once()
    {
        var import = Running(HeldBy("labeling-a", Now.AddSeconds(50)), Study(Guid.Empty, "1.2.3", 2));

        var released = Assert.IsType<PacsImportReleased>(Assert.Single(ClaimPacsImport.Release(import, "labeling-a", "the replica stopped cleanly", Now)));
        var given = PacsImport.Apply(released, import);

        Assert.Equal(new PacsImportReleased(import.Id, "labeling-a", "the replica stopped cleanly", Now), released);
        Assert.Equal((null, null, PacsImportStatus.Running, 1), (given.Holder, given.LeaseExpiresAt, given.Status, given.StudiesImported));
        Assert.Equal("labeling-b", Assert.IsType<PacsImportClaimed>(Assert.Single(ClaimPacsImport.Decide(given, "labeling-b", Lease, Now))).Replica);
    }

    [Fact]
    public void a_replica_that_does_not_hold_a_running_import_gives_nothing_back()
    {
        var takenOver = Running(HeldBy("labeling-a", Now), HeldBy("labeling-b", Now.AddSeconds(90)));
        var finished = Running(HeldBy("labeling-a", Now.AddSeconds(30)), new PacsImportCompleted(Guid.Empty, 2, Now));

        Assert.Empty(ClaimPacsImport.Release(takenOver, "labeling-a", "stopping", Now));
        Assert.Empty(ClaimPacsImport.Release(finished, "labeling-a", "stopping", Now));
        Assert.Empty(ClaimPacsImport.Release(null, "labeling-a", "stopping", Now));
        Assert.Empty(ClaimPacsImport.Release(Running(), "labeling-a", "stopping", Now));
    }
}
