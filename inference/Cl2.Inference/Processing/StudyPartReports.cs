using Cl2.Inference.Forwarding;
using Cl2.Inference.Ingest;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Processing;

/// <summary>
/// Where inference runs as replicas (<see cref="ReplicaOptions.ClaimThroughLabeling"/>), tells labeling which studies
/// this replica holds instances of that the archive lacks (<c>recordStudyPartReceived</c>), so no replica is given such a
/// study while a part of it waits here, and when they are all forwarded (<c>recordStudyPartForwarded</c>). One call per
/// study when it starts to wait here (an association brought it, or the store still holds it unforwarded at start-up),
/// one per renewal (every third of <see cref="ReplicaOptions.PendingPartSeconds"/>) and one when its part is forwarded;
/// never per instance. The listener does not wait for this: it acknowledges and stores whether labeling answers or not,
/// and what labeling did not hear is told at the next round.
/// </summary>
public sealed class StudyPartReports(InstanceStore store, ForwardingLedger ledger, ForwardingBacklog unforwarded, ArrivingStudies arriving,
    IServiceProvider services, IOptions<ReplicaOptions> replicas, IOptions<ForwardingOptions> forwarding, TimeProvider time, ILogger<StudyPartReports> logger) : BackgroundService
{
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>The studies labeling has heard are pending here (or may have, before a restart), and when each is to be renewed.</summary>
    private readonly Dictionary<string, DateTimeOffset> _told = new(StringComparer.Ordinal);
    private int _failuresInARow;
    private bool _started;

    public bool IsOn => replicas.Value.ClaimThroughLabeling && forwarding.Value.Enabled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsOn)
        {
            return;
        }
        arriving.StudyArriving += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Woken by an association's first instance of a study, else once a poll interval (renewals, forwarded parts).
                await _wake.WaitAsync(forwarding.Value.PollInterval, stoppingToken);
                if (ledger.IsOpen)
                {
                    await ReportAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            arriving.StudyArriving -= Wake;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken already by another association at the same moment.
            }
        }
    }

    /// <summary>
    /// Brings labeling up to date with the forwarding backlog (what the forwarder has yet to send) and the studies open
    /// associations are bringing, and returns that backlog. The forwarder calls it before each of its rounds, so a restarted
    /// replica records what its store still holds before it forwards any of it. Never throws for labeling's failures: they
    /// are logged and the next round tries again.
    /// </summary>
    public async Task<IReadOnlyList<PendingStudy>> ReportAsync(CancellationToken cancellationToken)
    {
        if (!IsOn)
        {
            return unforwarded.Compute();
        }
        await _round.WaitAsync(cancellationToken);
        IReadOnlyList<PendingStudy> backlog = [];
        try
        {
            // Read once this round holds the lock: a backlog read while another round held it predates what that round saw
            // (instances an association stored since, a part forwarded since), and withdrawing or re-telling from it tells
            // labeling the opposite of what this store holds.
            backlog = unforwarded.Compute();
            var settings = replicas.Value;
            if (!_started)
            {
                // The last run may have told labeling of parts it forwarded and died before withdrawing: every study received
                // here within a wait counts as told, so the first round withdraws those this store no longer holds unforwarded.
                var since = time.GetUtcNow() - TimeSpan.FromSeconds(settings.PendingPartSeconds);
                foreach (var recent in store.LatestVersions().Where(instance => instance.StudyInstanceUid.Length > 0 && instance.ReceivedAt >= since))
                {
                    _told[recent.StudyInstanceUid] = DateTimeOffset.MinValue;
                }
                _started = true;
            }
            var waiting = backlog.Where(study => study.ToStore.Count > 0).Select(study => study.StudyInstanceUid).Concat(arriving.Studies())
                .ToHashSet(StringComparer.Ordinal);
            var labeling = services.GetRequiredService<LabelingClient>();
            foreach (var study in waiting)
            {
                var now = time.GetUtcNow();
                if (_told.TryGetValue(study, out var renewAt) && now < renewAt)
                {
                    continue;
                }
                await TellAsync(study, () => labeling.RecordStudyPartReceivedAsync(new RecordStudyPartReceivedInput(study, settings.ResolvedName,
                    settings.PendingPartSeconds, unforwarded.ReceivedAndForwardedThrough(study).Received), cancellationToken));
                _told[study] = now + TimeSpan.FromSeconds(settings.PendingPartSeconds) / 3;
            }
            // Checked again per study: "forwarded" said of a part this store still holds unforwarded would let another replica
            // process the study without it, and a replica killed before its real forward left it pending for a whole wait.
            foreach (var study in _told.Keys.Where(study => !waiting.Contains(study) && !StillWaits(study)).ToList())
            {
                await TellAsync(study, () => labeling.RecordStudyPartForwardedAsync(ForwardedInput(study), cancellationToken));
                _told.Remove(study);
            }
            if (_failuresInARow > 0)
            {
                logger.LogInformation("Labeling hears which studies wait on this replica again, after {Failures} failed rounds", _failuresInARow);
                _failuresInARow = 0;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException
            or LabelingApiException)
        {
            // Labeling is unreachable or failing: the listener goes on storing; until labeling hears, another replica may be given a
            // study a part of which waits here (docs/deploy.md, "Inference replicas").
            if (_failuresInARow++ == 0)
            {
                logger.LogWarning("Could not tell labeling which studies wait on this replica: {Error}; trying again every poll", e.Message);
            }
        }
        finally
        {
            _round.Release();
        }
        return backlog;
    }

    /// <summary>Whether a part of the study waits here now: an open association brings it, or the store holds an instance of
    /// it the archive lacks (O(the study)).</summary>
    private bool StillWaits(string studyInstanceUid) => arriving.IsArriving(studyInstanceUid) || unforwarded.HoldsUnforwarded(studyInstanceUid);

    /// <summary>This replica's part of the study is in the archive, as far as the newest instance of it forwarded: labeling keeps
    /// the part pending when that is older than what it last heard received here, and ignores later reports it covers.</summary>
    private RecordStudyPartForwardedInput ForwardedInput(string studyInstanceUid) =>
        new(studyInstanceUid, replicas.Value.ResolvedName, unforwarded.ReceivedAndForwardedThrough(studyInstanceUid).Forwarded);

    /// <summary>The forwarder sent every instance of the study it held to the archive: labeling hears at once (not at the
    /// next round) that this part no longer waits, unless more of the study arrived meanwhile.</summary>
    public async Task ForwardedAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        if (!IsOn)
        {
            return;
        }
        await _round.WaitAsync(cancellationToken);
        try
        {
            if (!_told.ContainsKey(studyInstanceUid) || StillWaits(studyInstanceUid))
            {
                return;
            }
            await TellAsync(studyInstanceUid, () => services.GetRequiredService<LabelingClient>().RecordStudyPartForwardedAsync(ForwardedInput(studyInstanceUid),
                cancellationToken));
            _told.Remove(studyInstanceUid);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException
            or LabelingApiException)
        {
            // The next round tells it.
            logger.LogDebug("Could not tell labeling that this replica's part of study {StudyInstanceUid} is forwarded: {Error}", studyInstanceUid, e.Message);
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task TellAsync(string study, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (LabelingApiException e) when (e.Errors.All(error => error.Code == "INVALID_INPUT"))
        {
            // Labeling answered no for this study (it refuses its UID, say) and will answer the same again: the others go on.
            // Any other error (labeling's database away, say) ends the round and is tried again at the next.
            logger.LogError("Labeling refused to hear that a part of study {StudyInstanceUid} waits on this replica: {Error}", study, e.Message);
        }
    }
}
