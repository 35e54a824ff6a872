using System.Collections.Concurrent;
using Cl2.Dicom;
using Cl2.Labeling.Archive;
using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Runs an import in the background, study by study: list the study's instances (C-FIND at IMAGE level; with a series
/// description, only those of the matching series), skip those the archive holds already, fetch the rest by C-GET or
/// C-MOVE (<see cref="RetrievalPlan"/>: the whole study, whole series, or instance by instance), record StudyImported; at
/// the end add the studies that have instances as cases. Any failure ends the import with PacsImportFailed; running the
/// import again picks up where it stopped.
/// <para>Where labeling runs as replicas, an import is run only by the replica that holds its lease
/// (<see cref="ClaimPacsImport"/>): it renews the lease every third of <see cref="PacsImportOptions.LeaseSeconds"/>, and
/// every progress record is decided on the import's stream with the holder checked, so a replica that lost the import
/// (it hung past its lease and another took over) is refused and stops. An import whose holder died is taken over by
/// <see cref="PacsImportResumer"/> on any replica, skipping the studies it recorded.</para>
/// <para>When the host stops cleanly (<see cref="IHostApplicationLifetime.ApplicationStopping"/>), a run stops before its
/// next study and gives the import back (<see cref="PacsImportReleased"/>), so that another replica's rescuer takes it over
/// at its next round instead of waiting for the lease; the host's stop waits for that (<see cref="StopAsync"/>). A study
/// still being fetched when the host's shutdown timeout runs out is abandoned, not recorded, and the import given back all
/// the same: its successor fetches only the instances the archive lacks.</para>
/// </summary>
public sealed partial class PacsImportRunner(IDocumentStore store, PacsConnection pacs, IBlobStore blobs, ArchiveIndex index, TimeProvider time,
    IOptions<PacsImportOptions> options, IHostApplicationLifetime lifetime, ILogger<PacsImportRunner> logger) : IHostedService, IDisposable
{
    private const string Stopped = "the replica stopped cleanly";

    // The imports this process runs now: a second claim by this replica (after its lease ran out unrenewed) starts no second run.
    private readonly ConcurrentDictionary<Guid, byte> _running = new();

    // The runs going on, which the host's stop waits for; cancelled when the host's shutdown timeout runs out.
    private readonly ConcurrentDictionary<Task, byte> _runs = new();
    private readonly CancellationTokenSource _abandoned = new();

    // Cancels _abandoned when the host's shutdown timeout runs out. Kept here so that Dispose removes it before disposing
    // _abandoned: a host that stops waiting for StopAsync disposes this service while the timeout's callbacks still run,
    // and a Cancel on a disposed source, thrown on a timer thread, ends the process.
    private CancellationTokenRegistration _abandonAtTimeout;

    /// <summary>The name this replica claims imports under.</summary>
    public string Replica { get; } = options.Value.EffectiveReplica;

    /// <summary>This replica's claim of an import it starts or resumes, in the same commit as the start or the resume.</summary>
    public PacsImportClaimed Claim(Guid importId, DateTimeOffset now) => new(importId, Replica, now + options.Value.Lease, now);

    /// <summary>
    /// Claims the import for this replica and, when it got it, runs it in the background. Another replica that holds it
    /// keeps it.
    /// </summary>
    /// <returns>The import after the decision (null when there is no such import).</returns>
    public async Task<PacsImport?> ClaimAndStartAsync(Guid importId, CancellationToken cancellationToken)
    {
        var claimed = false;
        var import = await StreamDecision.DecideAsync<PacsImport>(store, importId, current =>
        {
            var events = ClaimPacsImport.Decide(current, Replica, options.Value.Lease, time.GetUtcNow());
            claimed = events.Count > 0;
            return events;
        }, cancellationToken);
        if (claimed)
        {
            Start(importId);
        }
        return import;
    }

    /// <summary>Runs an import this replica has just claimed, in the background.</summary>
    public void Start(Guid importId)
    {
        // A run of it still going here (its renewals failed while PostgreSQL was away, say) goes on under the new claim.
        if (_running.TryAdd(importId, 0))
        {
            var run = Task.Run(async () =>
            {
                try
                {
                    await RunAsync(importId, lifetime.ApplicationStopping, _abandoned.Token);
                }
                finally
                {
                    _running.TryRemove(importId, out _);
                }
            });
            _runs.TryAdd(run, 0);
            // A run that ended before it was added is removed at once.
            _ = run.ContinueWith(ended => _runs.TryRemove(ended, out _), TaskScheduler.Default);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host stops: each run stops before its next study and gives its import back; waited for until the host's
    /// shutdown timeout (<paramref name="cancellationToken"/>), which abandons a study still being fetched.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _abandonAtTimeout = cancellationToken.Register(_abandoned.Cancel);
        try
        {
            await Task.WhenAll(_runs.Keys);
        }
        finally
        {
            await _abandonAtTimeout.DisposeAsync();
        }
    }

    public void Dispose()
    {
        // Waits for the callback where it is running on another thread, and removes it where it has not run yet.
        _abandonAtTimeout.Dispose();
        _abandoned.Dispose();
    }

    /// <summary>Runs an import this replica holds, renewing its lease meanwhile, until it ends, fails, the lease is lost, or
    /// the host stops (then it is given back).</summary>
    private async Task RunAsync(Guid importId, CancellationToken stopping, CancellationToken abandoned)
    {
        using var held = CancellationTokenSource.CreateLinkedTokenSource(abandoned);
        var renewing = RenewAsync(importId, held);
        var release = false;
        try
        {
            release = !await ImportAsync(importId, stopping, held.Token);
        }
        catch (DomainException lost) when (lost.Code == ErrorCodes.PacsImportLeaseLost)
        {
            LeaseLost(logger, importId, lost.Message);
        }
        catch (Exception) when (abandoned.IsCancellationRequested)
        {
            // The host's shutdown timeout ran out while a study was fetched: whatever that made the fetch throw, nothing of
            // the study was recorded, and the import is given back.
            release = true;
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested)
        {
            LeaseLost(logger, importId, "the lease could not be renewed");
        }
        catch (Exception exception)
        {
            ImportFailed(logger, exception, importId);
            var code = exception is DomainException domain ? domain.Code : ErrorCodes.PacsFailed;
            var reason = exception is DomainException ? exception.Message
                : $"the import stopped: {exception.Message}. Run importFromPacs again with the same studies to resume";
            var failed = new PacsImportFailed(importId, code, reason, time.GetUtcNow());
            await StreamDecision.DecideAsync<PacsImport>(store, importId, import => RecordStudyImported.Fail(import, failed, Replica), CancellationToken.None);
        }
        finally
        {
            await held.CancelAsync();
            await renewing;
        }
        if (release)
        {
            await ReleaseAsync(importId);
        }
    }

    /// <summary>Gives the import back (its lease would hold it for nobody until it ran out); when that fails, the lease runs out.</summary>
    private async Task ReleaseAsync(Guid importId)
    {
        try
        {
            // The host is going: a database that does not answer within seconds leaves the import to its lease.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await StreamDecision.DecideAsync<PacsImport>(store, importId, import => ClaimPacsImport.Release(import, Replica, Stopped, time.GetUtcNow()),
                patience.Token);
            Released(logger, importId, Stopped);
        }
        catch (Exception exception)
        {
            ReleaseFailed(logger, exception, importId);
        }
    }

    /// <summary>Renews the lease every third of it; when the import is no longer this replica's, cancels the run.</summary>
    private async Task RenewAsync(Guid importId, CancellationTokenSource held)
    {
        var lease = options.Value.Lease;
        while (!held.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(lease / 3, time, held.Token);
                await StreamDecision.DecideAsync<PacsImport>(store, importId,
                    import => ClaimPacsImport.Renew(import, importId, Replica, lease, time.GetUtcNow()), held.Token);
            }
            catch (OperationCanceledException) when (held.IsCancellationRequested)
            {
                return;
            }
            catch (DomainException lost) when (lost.Code == ErrorCodes.PacsImportLeaseLost)
            {
                await held.CancelAsync();
                return;
            }
            catch (Exception exception)
            {
                // PostgreSQL may be restarting: try again at the next third; the lease still has two thirds to run.
                RenewFailed(logger, exception, importId);
            }
        }
    }

    /// <returns>False when the host began to stop before a study and the import is left for another replica to finish.</returns>
    private async Task<bool> ImportAsync(Guid importId, CancellationToken stopping, CancellationToken cancellationToken)
    {
        IReadOnlyList<object> events;
        await using (var session = store.QuerySession())
        {
            events = [.. (await session.Events.FetchStreamAsync(importId, token: cancellationToken)).Select(@event => @event.Data)];
        }
        var started = events.OfType<PacsImportStarted>().Single();
        // The studies recorded before (by this replica, or by one that died or lost the import): not fetched or recorded again.
        var done = events.OfType<StudyImported>().ToList();
        if (done.Count > 0)
        {
            Resuming(logger, importId, done.Count, started.StudyInstanceUids.Count);
        }
        var key = started.Deidentify ? DatasetPseudonyms.KeyFor(pacs.Options.PseudonymMasterKey, started.DatasetId) : null;
        var deidentifier = key is null ? null : DatasetPseudonyms.DeidentifierFor(key, started);
        var archivedStudies = done.Where(imported => imported.HasInstances()).Select(imported => imported.ArchivedStudyInstanceUid).Distinct().ToList();
        var recorded = done.Select(imported => imported.StudyInstanceUid).ToHashSet(StringComparer.Ordinal);
        foreach (var study in started.StudyInstanceUids.Where(study => !recorded.Contains(study)))
        {
            if (stopping.IsCancellationRequested)
            {
                return false;
            }
            var archivedStudy = key?.MapUid(study) ?? study;
            var archived = (await index.FindAsync(archivedStudy, null, null, cancellationToken)).Select(instance => instance.SopInstanceUid).ToHashSet();
            var wanted = await WantedAsync(study, started.SeriesDescription, cancellationToken);
            var missing = wanted.Where(instance => !archived.Contains(key?.MapUid(instance.SopInstanceUid) ?? instance.SopInstanceUid)).ToList();
            var receiver = new ArchiveReceiver(blobs, index, key, deidentifier);
            await pacs.RetrieveAsync(RetrievalPlan.Identifiers(study, wanted, missing, wholeStudy: started.SeriesDescription is null),
                [.. missing.Select(instance => instance.SopInstanceUid)], receiver, cancellationToken);
            var imported = new StudyImported(started.ImportId, study, archivedStudy, receiver.Received, wanted.Count - missing.Count, time.GetUtcNow());
            if (imported.HasInstances())
            {
                archivedStudies.Add(archivedStudy);
            }
            await StreamDecision.DecideAsync<PacsImport>(store, importId, import => RecordStudyImported.Decide(import, imported, Replica), cancellationToken);
        }
        await CompleteAsync(started, archivedStudies, cancellationToken);
        return true;
    }

    /// <summary>The cases and the import's end in one commit, decided on the import's stream with the holder checked.</summary>
    private Task CompleteAsync(PacsImportStarted started, IReadOnlyList<string> archivedStudies, CancellationToken cancellationToken) =>
        archivedStudies.Count == 0
            ? throw new DomainException(ErrorCodes.PacsStudyNotFound,
                $"The PACS has none of the studies {string.Join(", ", started.StudyInstanceUids)}: C-FIND found no instance of them" +
                (started.SeriesDescription is null ? "" : $" in series matching '{started.SeriesDescription}'") +
                ". Check the Study Instance UIDs with pacsStudies.")
            : StreamDecision.DecideAndStartAsync<PacsImport, IReadOnlyList<CaseAdded>>(store, started.ImportId,
                (session, token) => AddCases.DecideAsync(session, index, new AddCases(started.DatasetId, [.. archivedStudies]), started.StartedBy,
                    time.GetUtcNow(), token),
                (import, added) => (RecordStudyImported.Complete(import, new PacsImportCompleted(started.ImportId, added.Count, time.GetUtcNow()), Replica),
                    [.. added.Select(@event => new StartedStream(typeof(Case), @event.CaseId, @event))]),
                cancellationToken);

    /// <summary>
    /// The study's instances to have (IMAGE-level C-FIND): all of them, or with a series description only those of the
    /// series it matches (SERIES-level C-FIND first, then each such series' instances).
    /// </summary>
    private async Task<IReadOnlyList<PacsInstance>> WantedAsync(string study, string? seriesDescription, CancellationToken cancellationToken)
    {
        if (seriesDescription is null)
        {
            return Instances(await pacs.FindAsync(RetrievalPlan.Identifier("IMAGE", study, "", ""), cancellationToken));
        }
        var wanted = new List<PacsInstance>();
        foreach (var series in await pacs.FindAsync(PacsCriteria.SeriesQuery(study, seriesDescription), cancellationToken))
        {
            wanted.AddRange(Instances(await pacs.FindAsync(RetrievalPlan.Identifier("IMAGE", study, Uid(series, DicomTags.SeriesInstanceUID), ""), cancellationToken)));
        }
        return wanted;
    }

    private static List<PacsInstance> Instances(IEnumerable<DicomDataset> matches) =>
        [.. matches.Select(match => new PacsInstance(Uid(match, DicomTags.SeriesInstanceUID), Uid(match, DicomTags.SOPInstanceUID)))];

    private static string Uid(DicomDataset dataset, DicomTag tag) => dataset.GetStringOrDefault(tag)?.Trim() ?? "";

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming PACS import {ImportId}: {Done} of {Total} studies were recorded before")]
    private static partial void Resuming(ILogger logger, Guid importId, int done, int total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped running PACS import {ImportId}: {Reason}")]
    private static partial void LeaseLost(ILogger logger, Guid importId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gave PACS import {ImportId} back ({Reason}): another replica takes it over at its next rescue round")]
    private static partial void Released(ILogger logger, Guid importId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give PACS import {ImportId} back; another replica takes it over once its lease runs out")]
    private static partial void ReleaseFailed(ILogger logger, Exception exception, Guid importId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of PACS import {ImportId}; trying again")]
    private static partial void RenewFailed(ILogger logger, Exception exception, Guid importId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PACS import {ImportId} failed")]
    private static partial void ImportFailed(ILogger logger, Exception exception, Guid importId);
}
