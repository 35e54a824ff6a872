using Cl2.Labeling.Cohorts;
using Cl2.Labeling.Database;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>
/// The claim of an import on its stream in a real PostgreSQL: who wins, who takes over, who is refused. The decisions are
/// taken at instants hours ahead of the clock, and the imports start held by a replica whose lease runs an hour: the
/// fixture's own rescuer (on the real clock) finds them held and leaves them alone.
/// </summary>
public sealed class PacsImportLeaseTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    private IDocumentStore Store => api.Host.Services.GetRequiredService<IDocumentStore>();

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>An import of two studies (unique UIDs) that <paramref name="holder"/> claimed, its lease ending in an hour.</summary>
    private async Task<(Guid Id, string[] Studies)> HeldImportAsync(string holder, params Func<Guid, string[], object>[] then)
    {
        var id = Guid.CreateVersion7();
        string[] studies = [Uid(), Uid()];
        await using var session = Store.LightweightSession();
        session.Events.StartStream<PacsImport>(id, [
            new PacsImportStarted(id, Guid.NewGuid(), studies, false, false, false, "tester", _now),
            new PacsImportClaimed(id, holder, _now.AddHours(1), _now),
            .. then.Select(@event => @event(id, studies)),
        ]);
        await session.SaveChangesAsync();
        return (id, studies);
    }

    private static string Uid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);

    private Task<PacsImport?> ClaimAsync(Guid id, string replica, DateTimeOffset at) =>
        StreamDecision.DecideAsync<PacsImport>(Store, id, import => ClaimPacsImport.Decide(import, replica, Lease, at), CancellationToken.None);

    private async Task<IReadOnlyList<object>> EventsAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(id)).Select(@event => @event.Data)];
    }

    [Fact]
    public async Task of_replicas_claiming_an_expired_import_at_once_exactly_one_holds_it()
    {
        var (id, _) = await HeldImportAsync("labeling-dead");
        var at = _now.AddHours(2);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(replica => Task.Run(() => ClaimAsync(id, $"labeling-{replica}", at))));

        var claims = (await EventsAsync(id)).OfType<PacsImportClaimed>().Where(claim => claim.Replica != "labeling-dead").ToList();
        var winner = Assert.Single(claims);
        Assert.All(answers, answer => Assert.Equal((winner.Replica, at + Lease), (answer!.Holder, answer.LeaseExpiresAt)));
    }

    [Fact]
    public async Task an_import_whose_lease_ran_out_is_taken_over_and_the_old_holder_may_record_nothing_more()
    {
        var (id, studies) = await HeldImportAsync("labeling-a", (id, studies) => new StudyImported(id, studies[0], studies[0], 2, 0, _now));

        var early = await ClaimAsync(id, "labeling-b", _now.AddMinutes(59));
        var late = await ClaimAsync(id, "labeling-b", _now.AddHours(2));
        var stale = await Assert.ThrowsAsync<DomainException>(() => StreamDecision.DecideAsync<PacsImport>(Store, id,
            import => RecordStudyImported.Decide(import, new StudyImported(id, studies[1], studies[1], 1, 0, _now), "labeling-a"), CancellationToken.None));
        var again = await StreamDecision.DecideAsync<PacsImport>(Store, id,
            import => RecordStudyImported.Decide(import, new StudyImported(id, studies[0], studies[0], 0, 2, _now), "labeling-b"), CancellationToken.None);

        Assert.Equal("labeling-a", early!.Holder);
        Assert.Equal(("labeling-b", _now.AddHours(2) + Lease), (late!.Holder, late.LeaseExpiresAt));
        Assert.Equal(ErrorCodes.PacsImportLeaseLost, stale.Code);
        Assert.Equal((1, 2, 0), (again!.StudiesImported, again.InstancesFetched, again.InstancesSkipped));
        var shown = (await api.RunAsync("query($id: ID!) { pacsImport(id: $id) { holder leaseExpiresAt studiesImported } }", new { id }))["pacsImport"]!;
        Assert.Equal(("labeling-b", _now.AddHours(2) + Lease, 1),
            (shown["holder"]!.GetValue<string>(), DateTimeOffset.Parse(shown["leaseExpiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
                shown["studiesImported"]!.GetValue<int>()));
    }

    [Fact]
    public async Task a_renewal_by_a_replica_that_does_not_hold_the_import_is_refused()
    {
        var (id, _) = await HeldImportAsync("labeling-a");
        var at = _now.AddMinutes(20);

        var refused = await Assert.ThrowsAsync<DomainException>(() => StreamDecision.DecideAsync<PacsImport>(Store, id,
            import => ClaimPacsImport.Renew(import, id, "labeling-b", Lease, at), CancellationToken.None));
        var renewed = await StreamDecision.DecideAsync<PacsImport>(Store, id,
            import => ClaimPacsImport.Renew(import, id, "labeling-a", Lease, at), CancellationToken.None);

        Assert.Equal(ErrorCodes.PacsImportLeaseLost, refused.Code);
        Assert.Equal(("labeling-a", at + Lease), (renewed!.Holder, renewed.LeaseExpiresAt));
        Assert.Single((await EventsAsync(id)).OfType<PacsImportLeaseRenewed>());
    }
}
