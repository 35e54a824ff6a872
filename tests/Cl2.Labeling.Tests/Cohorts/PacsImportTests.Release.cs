using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cl2.Labeling.Cohorts;
using Cl2.Labeling.Database;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests.Cohorts;

public sealed partial class PacsImportTests
{
    /// <summary>Settings of a replica named <paramref name="replica"/> that looks for imports to take over only at start-up
    /// (its next round is an hour away), so that what it finds then is all it takes over.</summary>
    private Dictionary<string, string> ReplicaSettings(string blobs, string replica)
    {
        var settings = pacs.Settings(blobs);
        settings["Pacs:Imports:Replica"] = replica;
        settings["Pacs:Imports:RescueIntervalSeconds"] = "3600";
        return settings;
    }

    /// <summary>Settings of a replica whose PACS accepts the connection and never answers the association request, so that
    /// a run of an import stays inside it (on its first study) until the PACS goes away; and the PACS's accepted socket.</summary>
    private (TcpListener Pacs, Task<Socket> Accepted, Dictionary<string, string> Settings) SilentPacsReplica(string blobs, string replica)
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var settings = ReplicaSettings(blobs, replica);
        settings["Pacs:Port"] = ((IPEndPoint)silent.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        return (silent, silent.AcceptSocketAsync(), settings);
    }

    [Fact]
    public async Task an_import_given_back_by_its_replica_is_finished_by_another_before_the_lease_would_have_run_out()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        var importId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var leaseEnd = now.AddHours(1);
        await using (var stopping = new Api(postgres, ReplicaSettings(blobs, "labeling-a")))
        {
            // Replica A imported the CT study (a stand-in instance in the archive, so that a second fetch would show) and
            // was stopping: its runner gave the import back before the next study, an hour before its lease would run out.
            var datasetId = Guid.Parse(await CreateDatasetAsync(stopping, research: false));
            await ArchivedStudies.StoreAsync(stopping.Client, pacs.CtStudy);
            var store = stopping.Host.Services.GetRequiredService<IDocumentStore>();
            await using (var session = store.LightweightSession())
            {
                session.Events.StartStream<PacsImport>(importId,
                    new PacsImportStarted(importId, datasetId, [pacs.CtStudy, pacs.MrStudy], false, false, false, "tester", now),
                    new PacsImportClaimed(importId, "labeling-a", leaseEnd, now),
                    new StudyImported(importId, pacs.CtStudy, pacs.CtStudy, 2, 0, now));
                await session.SaveChangesAsync();
            }
            await StreamDecision.DecideAsync<PacsImport>(store, importId,
                import => ClaimPacsImport.Release(import, "labeling-a", "the replica stopped cleanly", DateTimeOffset.UtcNow), CancellationToken.None);

            var released = (await stopping.RunAsync("query($id: ID!) { pacsImport(id: $id) { status holder leaseExpiresAt } }", new { id = importId }))["pacsImport"]!;
            Assert.Equal(("RUNNING", null, null), (released["status"]!.GetValue<string>(), released["holder"]?.GetValue<string>(), released["leaseExpiresAt"]?.GetValue<string>()));
        }
        await using var other = new Api(postgres, ReplicaSettings(blobs, "labeling-b"));

        var finished = await WaitAsync(other, importId.ToString());

        Assert.Equal(("COMPLETED", 2, 3, 2), (finished["status"]!.GetValue<string>(), Number(finished, "studiesImported"), Number(finished, "instancesFetched"),
            Number(finished, "casesAdded")));
        IReadOnlyList<object> events;
        await using (var session = other.Host.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            events = [.. (await session.Events.FetchStreamAsync(importId)).Select(@event => @event.Data)];
        }
        var takeover = Assert.Single(events.OfType<PacsImportClaimed>(), claim => claim.Replica == "labeling-b");
        Assert.True(takeover.ClaimedAt < leaseEnd, $"taken over at {takeover.ClaimedAt:O}, after labeling-a's lease ran out at {leaseEnd:O}");
        Assert.Equal([pacs.CtStudy, pacs.MrStudy], events.OfType<StudyImported>().Select(imported => imported.StudyInstanceUid));
        // The study A recorded was not fetched again: the archive holds only the stand-in.
        Assert.Equal([ArchivedStudies.SopInstanceUidOf(pacs.CtStudy)], (await other.ArchivedAsync(pacs.CtStudy)).Select(i => i.SopInstanceUid));
        Assert.Equal(pacs.Instances[pacs.MrStudy], (await other.ArchivedAsync(pacs.MrStudy)).Select(i => i.SopInstanceUid).ToArray());
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task a_replica_stopped_cleanly_in_the_middle_of_an_import_gives_it_back_to_the_next_replica()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        // Replica A's PACS is silent, so A is inside the import when it stops; its shutdown timeout is short, well within
        // the 30 s A would wait for an answer.
        var (silent, accepted, settings) = SilentPacsReplica(blobs, "labeling-a");
        using var listening = silent;
        settings["shutdownTimeoutSeconds"] = "2";
        // A's lease would hold the import for an hour: replica B can have it only because A gave it back.
        settings["Pacs:Imports:LeaseSeconds"] = "3600";
        Guid importId;
        Socket? held = null;
        await using (var stopping = new Api(postgres, settings))
        {
            var datasetId = await CreateDatasetAsync(stopping, research: false);
            var started = (await stopping.RunAsync($"mutation($input: ImportFromPacsInput!) {{ importFromPacs(input: $input) {{ id }} }}",
                new { input = new { datasetId, studyInstanceUids = new[] { pacs.CtStudy, pacs.MrStudy } } }))["importFromPacs"]!;
            importId = Guid.Parse(started["id"]!.GetValue<string>());
            held = await accepted.WaitAsync(TimeSpan.FromMinutes(2)); // a hang guard, not a timing
        }
        // Open until A has stopped: a connection closed under it would fail the import instead.
        held.Dispose();
        await using var other = new Api(postgres, ReplicaSettings(blobs, "labeling-b"));

        var finished = await WaitAsync(other, importId.ToString());

        Assert.True(finished["status"]!.GetValue<string>() == "COMPLETED", finished.ToJsonString());
        Assert.Equal((2, 3, 0, 2), (Number(finished, "studiesImported"), Number(finished, "instancesFetched"), Number(finished, "instancesSkipped"),
            Number(finished, "casesAdded")));
        IReadOnlyList<object> events;
        await using (var session = other.Host.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            events = [.. (await session.Events.FetchStreamAsync(importId)).Select(@event => @event.Data)];
        }
        var released = Assert.Single(events.OfType<PacsImportReleased>());
        Assert.Equal(("labeling-a", "the replica stopped cleanly"), (released.Replica, released.Reason));
        Assert.Empty(events.OfType<PacsImportFailed>());
        Assert.Equal(["labeling-a", "labeling-b"], events.OfType<PacsImportClaimed>().Select(claim => claim.Replica));
        Assert.Equal([pacs.CtStudy, pacs.MrStudy], events.OfType<StudyImported>().Select(imported => imported.StudyInstanceUid));
        Directory.Delete(blobs, recursive: true);
    }

    [Fact]
    public async Task a_runner_disposed_while_its_stop_waits_ignores_the_shutdown_timeout_that_runs_out_afterwards()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        // The PACS is silent: the run stays inside the import, so the stop waits for it.
        var (silent, accepted, settings) = SilentPacsReplica(blobs, "labeling-a");
        using var listening = silent;
        await using var api = new Api(postgres, settings);
        var datasetId = await CreateDatasetAsync(api, research: false);
        await api.RunAsync($"mutation($input: ImportFromPacsInput!) {{ importFromPacs(input: $input) {{ id }} }}",
            new { input = new { datasetId, studyInstanceUids = new[] { pacs.CtStudy } } });
        var held = await accepted.WaitAsync(TimeSpan.FromMinutes(2)); // a hang guard, not a timing
        var runner = api.Host.Services.GetRequiredService<PacsImportRunner>();
        using var shutdownTimeout = new CancellationTokenSource();

        var stopping = runner.StopAsync(shutdownTimeout.Token);
        // As a host does that gives up waiting for its services' stops: it disposes them, and the timeout runs out later.
        runner.Dispose();
        // Run on a timer thread, an exception here ends the whole process.
        var thrown = Record.Exception(shutdownTimeout.Cancel);

        Assert.Null(thrown);
        // The silent PACS goes away: the run ends (the import fails) and the stop that waited for it returns.
        held.Dispose();
        silent.Stop();
        await stopping.WaitAsync(TimeSpan.FromMinutes(2));
        Directory.Delete(blobs, recursive: true);
    }
}
