using Cl2.Dicom.Web;
using Cl2.Inference.Ingest;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Forwarding;

/// <summary>
/// Sends every received study to labeling, at least once and without a second effect: its instances to the archive by
/// STOW-RS, then <c>recordStudyReceived</c> with the study's instance count; each answer is written to the
/// <see cref="ForwardingLedger"/> before the next step. A study is due once it has been quiet for
/// <see cref="ForwardingOptions.QuietPeriod"/>; instances of it that arrive later make it due again (the archive gets them,
/// and the fact its new count). While labeling is unreachable or failing nothing is dropped: the round stops and the next
/// one waits 1, 2, 4 … seconds up to <see cref="ForwardingOptions.MaxRetryDelay"/>. A study labeling refuses (a bad UID,
/// an instance the archive cannot read) waits the same way on its own, and the others go on; after
/// <see cref="ForwardingOptions.MaxStudyAttempts"/> refusals in a row (counted in the ledger, across restarts) it is stuck:
/// no longer tried, reported by the health check and to labeling (<c>recordStudyForwardingStuck</c>, so GraphQL's
/// <c>stuckStudies</c> shows it), until an admin asks for another try (<see cref="Retry"/>, reported as
/// <c>recordStudyForwardingResumed</c>). Those reports go at least once: pending ones wait in memory for the next poll,
/// and a restart reports every stuck study again (labeling keeps one fact per change).
/// </summary>
public sealed class StudyForwarder(InstanceStore store, ForwardingLedger ledger, ForwardingBacklog unforwarded, IHttpClientFactory httpClients, IOptions<ForwardingOptions> options,
    Processing.StudyPartReports parts, TimeProvider time, ILogger<StudyForwarder> logger) : BackgroundService
{
    public const string GraphQLClient = "forwarding-graphql";
    public const string DicomWebClient = "forwarding-dicomweb";

    private sealed record Failure(string Error, DateTimeOffset At, int Count, DateTimeOffset RetryAt);

    /// <summary>What labeling is still to hear of a study: it got stuck (with why), or it was resumed (null).</summary>
    private sealed record StuckReport(string CallingAeTitle, int Attempts, string Reason);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Failure> _studyFailures = [];
    private readonly Dictionary<string, StuckReport?> _stuckReports = [];
    private Failure? _labelingFailure;
    private DateTimeOffset? _lastForwardedAt;
    private long _forwardedStudies;

    /// <summary>What is pending now, what failed last and when the next try is: for the status endpoint and the health check.</summary>
    public ForwardingStatus Status()
    {
        var settings = options.Value;
        var backlog = settings.Enabled && ledger.IsOpen ? unforwarded.Compute() : [];
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return new ForwardingStatus(settings.Enabled, now, backlog, _labelingFailure?.Error, _labelingFailure?.At, _labelingFailure?.RetryAt,
                _lastForwardedAt, Interlocked.Read(ref _forwardedStudies),
                backlog.Select(study => StudyState(study, now, settings.QuietPeriod)).ToList());
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogWarning("Forwarding of received studies to labeling is off (Inference:Forwarding:Enabled): labeling's archive will not get them");
            return;
        }
        ledger.Open();
        lock (_gate)
        {
            foreach (var (study, refusal) in ledger.Refusals())
            {
                _studyFailures[study] = new Failure(refusal.Error, refusal.At, refusal.Attempts, refusal.At + Delay(refusal.Attempts));
            }
        }
        var waiting = unforwarded.Compute();
        lock (_gate)
        {
            // Labeling may not have heard before the last stop: tell it again (a repeated report changes nothing there).
            foreach (var study in waiting)
            {
                if (_studyFailures.TryGetValue(study.StudyInstanceUid, out var failed) && IsStuck(failed))
                {
                    _stuckReports[study.StudyInstanceUid] = new StuckReport(study.CallingAeTitle, failed.Count, failed.Error);
                }
            }
        }
        if (waiting.Count > 0)
        {
            logger.LogInformation("{Studies} received studies ({Instances} instances) are waiting to be forwarded to labeling, the oldest since {Since}",
                waiting.Count, waiting.Sum(study => study.ToStore.Count), waiting[0].PendingSince);
        }
        using var timer = new PeriodicTimer(settings.PollInterval, time);
        do
        {
            await ForwardDueStudiesAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ForwardDueStudiesAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_labelingFailure is { } failing && now < failing.RetryAt)
            {
                return;
            }
        }
        await ReportStuckStudiesAsync(cancellationToken);
        // Replicas: labeling hears what waits here before any of it is forwarded (after a restart too).
        var backlog = await parts.ReportAsync(cancellationToken);
        var forwarded = false;
        foreach (var study in backlog.Where(study => study.IsQuiet(now, settings.QuietPeriod)))
        {
            lock (_gate)
            {
                if (_studyFailures.TryGetValue(study.StudyInstanceUid, out var failed) && (IsStuck(failed) || now < failed.RetryAt))
                {
                    continue;
                }
            }
            try
            {
                await ForwardAsync(study, cancellationToken);
                forwarded = true;
                await parts.ForwardedAsync(study.StudyInstanceUid, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (IsRefusalOfThisStudy(e))
                {
                    Failure failure;
                    lock (_gate)
                    {
                        _studyFailures[study.StudyInstanceUid] = failure = Failed(_studyFailures.GetValueOrDefault(study.StudyInstanceUid), e.Message, now);
                        if (IsStuck(failure))
                        {
                            _stuckReports[study.StudyInstanceUid] = new StuckReport(study.CallingAeTitle, failure.Count, failure.Error);
                        }
                    }
                    ledger.MarkRefused(study.StudyInstanceUid, new StudyRefusal(failure.Count, failure.At, failure.Error));
                    if (IsStuck(failure))
                    {
                        logger.LogError("Study {StudyInstanceUid} from {CallingAeTitle} is stuck: labeling refused it {Attempts} times (Inference:Forwarding:MaxStudyAttempts), " +
                            "last with: {Error}. It is no longer tried; fix the cause, then POST /api/inference/forwarding/{StudyInstanceUid}/retry as an admin",
                            study.StudyInstanceUid, study.CallingAeTitle, failure.Count, e.Message, study.StudyInstanceUid);
                    }
                    else
                    {
                        logger.LogWarning("Labeling refused study {StudyInstanceUid} ({Attempts} tries): {Error}. It stays pending; next try at {RetryAt}",
                            study.StudyInstanceUid, failure.Count, e.Message, failure.RetryAt);
                    }
                    continue;
                }
                Failure labeling;
                lock (_gate)
                {
                    _labelingFailure = labeling = Failed(_labelingFailure, e.Message, now);
                }
                logger.LogWarning("Forwarding to labeling at {LabelingUrl} failed ({Attempts} tries in a row): {Error}. {Studies} studies ({Instances} instances) " +
                    "are pending, the oldest since {Since}; next try at {RetryAt}. GET /api/inference/forwarding shows the backlog",
                    httpClients.CreateClient(GraphQLClient).BaseAddress, labeling.Count, e.Message, backlog.Count, backlog.Sum(pending => pending.ToStore.Count),
                    backlog[0].PendingSince, labeling.RetryAt);
                return;
            }
        }
        lock (_gate)
        {
            if (forwarded && _labelingFailure is { } recovered)
            {
                logger.LogInformation("Labeling answers again after {Attempts} failed tries", recovered.Count);
                _labelingFailure = null;
            }
        }
    }

    private async Task ForwardAsync(PendingStudy study, CancellationToken cancellationToken)
    {
        var archive = new DicomWebClient(httpClients.CreateClient(DicomWebClient));
        foreach (var batch in study.ToStore.Chunk(options.Value.BatchSize))
        {
            var answer = await archive.StoreAsync(
                batch.Select(instance => new MultipartRelatedPart(DicomMediaTypes.Dicom, () => new Part10Content(instance, store), instance.Length)),
                study.StudyInstanceUid, cancellationToken);
            var stored = answer.Stored.Select(instance => instance.SopInstanceUid).ToHashSet();
            ledger.MarkStored(batch.Where(instance => stored.Contains(instance.SopInstanceUid)).Select(instance => instance.Digest));
            if (batch.FirstOrDefault(instance => !stored.Contains(instance.SopInstanceUid)) is { } refused)
            {
                var reason = answer.Failed.FirstOrDefault(failed => failed.SopInstanceUid == refused.SopInstanceUid)?.FailureReason;
                throw new ArchiveRefusedException($"labeling's archive did not store SOP Instance {refused.SopInstanceUid} of study {study.StudyInstanceUid} " +
                    $"(HTTP {(int)answer.Status}{(reason is { } code ? $", Failure Reason 0x{code:X4}" : "")}); see labeling's log");
            }
        }
        if (study.RecordedCount < study.InstanceCount)
        {
            var labeling = new LabelingClient(httpClients.CreateClient(GraphQLClient));
            await labeling.RecordStudyReceivedAsync(new RecordStudyReceivedInput(study.StudyInstanceUid, study.CallingAeTitle, study.InstanceCount), cancellationToken);
            ledger.MarkRecorded(study.StudyInstanceUid, study.InstanceCount);
        }
        bool wasRefused;
        lock (_gate)
        {
            wasRefused = _studyFailures.Remove(study.StudyInstanceUid);
            _lastForwardedAt = time.GetUtcNow();
        }
        if (wasRefused)
        {
            ledger.MarkCleared(study.StudyInstanceUid);
        }
        Interlocked.Increment(ref _forwardedStudies);
        logger.LogInformation("Forwarded study {StudyInstanceUid} to labeling: {Stored} instances stored in the archive, {Instances} recorded as received",
            study.StudyInstanceUid, study.ToStore.Count, study.InstanceCount);
    }

    /// <summary>Tells labeling which studies got stuck or were resumed since it last heard; what cannot be told now is told
    /// at a later poll.</summary>
    private async Task ReportStuckStudiesAsync(CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, StuckReport?>> pending;
        lock (_gate)
        {
            pending = [.. _stuckReports];
        }
        foreach (var (study, report) in pending)
        {
            var labeling = new LabelingClient(httpClients.CreateClient(GraphQLClient));
            try
            {
                if (report is not null)
                {
                    await labeling.RecordStudyForwardingStuckAsync(new RecordStudyForwardingStuckInput(study, report.CallingAeTitle, report.Attempts, report.Reason),
                        cancellationToken);
                }
                else
                {
                    await labeling.RecordStudyForwardingResumedAsync(study, cancellationToken);
                }
            }
            catch (LabelingApiException e)
            {
                // Labeling answered and will answer the same again: keep the report out of the way of the others.
                logger.LogError("Labeling refused the report that study {StudyInstanceUid} {Change}: {Error}", study, report is null ? "was resumed" : "is stuck", e.Message);
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not tell labeling that study {StudyInstanceUid} {Change}: {Error}; trying again at the next poll",
                    study, report is null ? "was resumed" : "is stuck", e.Message);
                return;
            }
            lock (_gate)
            {
                if (_stuckReports.TryGetValue(study, out var now) && now == report)
                {
                    _stuckReports.Remove(study);
                }
            }
        }
    }

    /// <summary>Labeling answered and said no to this study: retrying others makes sense. Anything else means labeling (or the
    /// way to it) is not working, and every study would fail alike.</summary>
    private static bool IsRefusalOfThisStudy(Exception e) => e switch
    {
        LabelingApiException or ArchiveRefusedException => true,
        DicomWebException { StatusCode: { } status } => (int)status is >= 400 and < 500,
        _ => false,
    };

    /// <summary>Gives a stuck (or refused) study its tries back: it goes at the next poll. False when labeling has not
    /// refused it.</summary>
    public bool Retry(string studyInstanceUid)
    {
        lock (_gate)
        {
            if (!_studyFailures.Remove(studyInstanceUid, out var failed))
            {
                return false;
            }
            if (IsStuck(failed))
            {
                _stuckReports[studyInstanceUid] = null;
            }
        }
        ledger.MarkCleared(studyInstanceUid);
        logger.LogInformation("Study {StudyInstanceUid} gets its tries back on request; it goes to labeling at the next poll", studyInstanceUid);
        return true;
    }

    private bool IsStuck(Failure failure) => failure.Count >= options.Value.MaxStudyAttempts;

    private TimeSpan Delay(int failures) => TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - 1), options.Value.MaxRetryDelay.TotalSeconds));

    private Failure Failed(Failure? previous, string error, DateTimeOffset now)
    {
        var count = (previous?.Count ?? 0) + 1;
        return new Failure(error, now, count, now + Delay(count));
    }

    private StudyForwardingState StudyState(PendingStudy study, DateTimeOffset now, TimeSpan quietPeriod)
    {
        var failure = _studyFailures.GetValueOrDefault(study.StudyInstanceUid);
        var state = failure is not null ? (IsStuck(failure) ? StudyForwardingState.Stuck : "refused")
            : _labelingFailure is not null ? "retrying" : study.IsQuiet(now, quietPeriod) ? "due" : "quiet-period";
        return new StudyForwardingState(study.StudyInstanceUid, study.CallingAeTitle, study.InstanceCount, study.ToStore.Count, study.RecordedCount,
            study.PendingSince, state, failure?.Count ?? 0, failure?.Error, failure is null || IsStuck(failure) ? null : failure.RetryAt);
    }

    private sealed class ArchiveRefusedException(string message) : Exception(message);
}
