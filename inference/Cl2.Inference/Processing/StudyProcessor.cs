using System.Diagnostics;
using System.Threading.Channels;
using Cl2.Dicom;
using Cl2.Inference.Delivery;
using Cl2.Inference.Ingest;
using Cl2.Inference.Listener;
using Cl2.Inference.Routing;
using Cl2.Inference.Serving;
using Cl2.Inference.Studies;
using Cl2.Labeling.Client;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Processing;

/// <summary>A complete study, queued for processing.</summary>
public sealed record CompleteStudy(string StudyInstanceUid, IReadOnlyList<StoredInstance> Instances, DateTimeOffset FirstReceivedAt, DateTimeOffset CompletedAt,
    CompletenessReason Reason);

/// <summary>What a production run read and made, kept for the shadow version to run on and be compared with.</summary>
public sealed record ProductionRun(IReadOnlyList<DicomFile> Study, WorkloadResult Result);

/// <summary>
/// The processing loop: every poll, studies that became complete (<see cref="StudyCompleteness"/>) go into a bounded queue
/// (<see cref="ProcessingOptions.QueueCapacity"/>; when it is full the poll waits, so studies wait in the store, not in
/// memory); each queued study is routed (<see cref="RoutingEvaluation"/> on the cached table), run, and its outcome
/// recorded through labeling's <c>recordInferenceResult</c> with the routing decision and the time of each stage, then
/// written to the <see cref="ProcessingLedger"/>. Every outcome is recorded, failures with a code and an explanation.
/// A rule selecting a model workload runs the model's production version (<see cref="ProductionVersions"/>, loaded by
/// <see cref="ModelRunners"/>) on the stored instances, records the result with its SEG/SR UIDs and hands the objects to
/// the <see cref="DeliveryOutbox"/>; NO_PRODUCTION_VERSION when no version is promoted. When the model has a
/// candidate in shadow, it then runs on the same instances (<see cref="ShadowRuns"/>), delivering nothing, when a model worker has no production study to run. The <c>pass-through</c> workload
/// runs no model: the study is read and its outcome recorded. Where inference runs as replicas, a study this replica finds
/// complete is processed only when labeling gives it to this replica, with the instances other replicas received
/// (<see cref="StudyClaims"/>).
/// </summary>
public sealed class StudyProcessor(InstanceStore store, ArrivingStudies arriving, ProcessingLedger ledger, RoutingRulesCache rules, ProductionVersions production,
    ModelRunners runners, ShadowRuns shadows, ModelQueue models, DeliveryOutbox delivery, StudyClaims claims, IServiceProvider services,
    IOptions<ProcessingOptions> options, IOptions<ModelRunOptions> modelRuns, IOptions<CompletenessOptions> completeness, IOptions<RoutingOptions> routing, IOptions<ListenerOptions> listener,
    TimeProvider time, ILogger<StudyProcessor> logger) : BackgroundService
{
    private readonly Channel<CompleteStudy> _queue = Channel.CreateBounded<CompleteStudy>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private readonly Lock _gate = new();
    private readonly HashSet<string> _inFlight = [];
    private readonly Dictionary<string, (int Failures, DateTimeOffset RetryAt)> _recordFailures = [];
    private readonly Dictionary<string, DateTimeOffset> _claimWaits = [];

    // The studies with instances the ledger has not processed, kept up to date from the store's changes
    // (InstanceStore.StudiesChangedSince) so that a poll looks at those, never at every instance the store retains.
    private readonly HashSet<string> _unprocessed = new(StringComparer.Ordinal);
    private long _storeCursor;

    /// <summary>Claims held while their study is in flight, each renewed until the study is released.</summary>
    private readonly Dictionary<string, IDisposable> _renewals = [];
    private ProcessingTelemetry? _telemetry;

    public int QueueLength => _queue.Reader.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            logger.LogWarning("Processing of received studies is off (Inference:Processing:Enabled): studies are not routed");
            return;
        }
        ledger.Open();
        _telemetry = new ProcessingTelemetry(() => QueueLength, () => models.Waiting);
        try
        {
            // Model runs on their own workers behind their own bounded queue: the loop routes and records the next study meanwhile.
            var workers = Enumerable.Range(0, modelRuns.Value.Concurrency).Select(_ => Task.Run(() => models.WorkAsync(job => RunQueuedAsync(job, stoppingToken), shadow => RunShadowAsync(shadow, stoppingToken), stoppingToken), stoppingToken));
            await Task.WhenAll([QueueCompleteStudiesAsync(stoppingToken), ProcessQueueAsync(stoppingToken), .. workers]);
        }
        finally
        {
            _telemetry.Dispose();
        }
    }

    private async Task QueueCompleteStudiesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (rules.Current is null)
                {
                    continue; // no routing table known yet: nothing can be decided, studies wait in the store
                }
                foreach (var study in CompleteStudies(time.GetUtcNow()))
                {
                    if ((claims.IsOn ? await ClaimAsync(study, cancellationToken) : study) is { } mine)
                    {
                        await _queue.Writer.WriteAsync(mine, cancellationToken);
                    }
                }
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }

    private List<CompleteStudy> CompleteStudies(DateTimeOffset now)
    {
        var settings = completeness.Value;
        var due = new List<CompleteStudy>();
        // A study that changes after this read shows up at the next poll, whatever this one made of it.
        var (changed, cursor) = store.StudiesChangedSince(_storeCursor);
        _storeCursor = cursor;
        _unprocessed.UnionWith(changed.Where(study => study.Length > 0));
        foreach (var study in _unprocessed.ToList())
        {
            var instances = store.LatestVersionsOf(study).OrderBy(instance => instance.ReceivedAt).ToList();
            // Processed (here, or by another replica) until more of it arrives, which the store's changes bring back.
            if (instances.Count == 0 || ledger.ProcessedCount(study) >= instances.Count)
            {
                _unprocessed.Remove(study);
                continue;
            }
            lock (_gate)
            {
                if (_inFlight.Contains(study)
                    || (_recordFailures.TryGetValue(study, out var failed) && now < failed.RetryAt)
                    || (_claimWaits.TryGetValue(study, out var askAgainAt) && now < askAgainAt))
                {
                    continue;
                }
            }
            // While an association that brought some of the study is open, more of it may come: its quiet period has not begun.
            var (first, last) = (instances[0].ReceivedAt, arriving.IsArriving(study) ? now : instances[^1].ReceivedAt);
            var quietPeriod = settings.QuietPeriodFor(instances[0].CallingAeTitle);
            var required = RequiredSeries.None;
            // Replicas: this store may hold a part of the study only; the series it needs are the claimer's to find (in the whole study).
            if (!claims.IsOn && now - last >= quietPeriod && now - first < settings.MaxWait)
            {
                // Quiet, but is it whole? The workload a rule routes it to says which series it needs.
                var routed = StudyForRouting.From(study, listener.Value.AeTitle, instances);
                required = RequiredSeriesCheck.Of(RoutingEvaluation.Decide(rules.Current!, routed, routing.Value.PatternTimeout).Rule?.Workload, routed);
            }
            var reason = StudyCompleteness.Decide(first, last, required, quietPeriod, settings.MaxWait, now);
            if (reason is { } complete)
            {
                lock (_gate)
                {
                    _inFlight.Add(study);
                }
                due.Add(new CompleteStudy(study, instances, instances[0].ReceivedAt, now, complete));
            }
        }
        // Oldest first, as the store received them.
        return [.. due.OrderBy(study => study.FirstReceivedAt).ThenBy(study => study.StudyInstanceUid, StringComparer.Ordinal)];
    }

    /// <summary>The study with every instance of it the archive holds when labeling gives it to this replica; otherwise null,
    /// and it waits here until labeling says to ask again (or, processed by another replica, until more of it arrives).</summary>
    private async Task<CompleteStudy?> ClaimAsync(CompleteStudy study, CancellationToken cancellationToken)
    {
        StudyClaim claim;
        try
        {
            claim = await claims.ClaimAsync(study, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is HttpRequestException or LabelingApiException or TaskCanceledException or IOException or DicomFormatException or Cl2.Dicom.Web.DicomWebException)
        {
            claim = new StudyClaim(null, false, time.GetUtcNow() + TimeSpan.FromSeconds(5), $"could not claim it: {e.Message}");
            logger.LogWarning("Could not ask labeling for study {StudyInstanceUid}: {Error}; asking again in 5 s", study.StudyInstanceUid, e.Message);
        }
        lock (_gate)
        {
            _claimWaits.Remove(study.StudyInstanceUid);
            if (claim.Study is not null)
            {
                _renewals[study.StudyInstanceUid] = services.GetRequiredService<StudyClaimRenewals>().KeepRenewed(study.StudyInstanceUid);
            }
            else
            {
                _inFlight.Remove(study.StudyInstanceUid);
                if (!claim.ProcessedElsewhere)
                {
                    _claimWaits[study.StudyInstanceUid] = claim.RetryAt ?? time.GetUtcNow() + options.Value.PollInterval;
                }
            }
        }
        if (claim.ProcessedElsewhere)
        {
            ledger.MarkProcessed(study.StudyInstanceUid, study.Instances.Count);
            logger.LogInformation("Study {StudyInstanceUid} ({Instances} instances here) is processed by another replica: {Why}",
                study.StudyInstanceUid, study.Instances.Count, claim.Why);
        }
        else if (claim.Study is null)
        {
            logger.LogDebug("Study {StudyInstanceUid} is not this replica's to process now: {Why}", study.StudyInstanceUid, claim.Why);
        }
        return claim.Study;
    }

    private async Task ProcessQueueAsync(CancellationToken cancellationToken)
    {
        await foreach (var study in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            if (!await GuardAsync(study, () => ProcessAsync(study, cancellationToken), cancellationToken))
            {
                Release(study);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> for <paramref name="study"/>; whatever goes wrong is the study's outcome, recorded like
    /// any other (labeling unreachable: processed again later). True when the study was handed to the model queue.</summary>
    private async Task<bool> GuardAsync(CompleteStudy study, Func<Task<bool>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work();
        }
        catch (HttpRequestException unreachable) when (!cancellationToken.IsCancellationRequested)
        {
            RetryLater(study, unreachable.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Processing study {StudyInstanceUid} failed unexpectedly; the failure is recorded as its outcome", study.StudyInstanceUid);
            await RecordAsync(study, new RecordInferenceResultInput(study.StudyInstanceUid, null, "unknown", [], 0, InferenceFailure.WorkloadFailed,
                $"Processing failed unexpectedly ({e.GetType().Name}: {e.Message}); inference's log has the details."), cancellationToken);
        }
        return false;
    }

    private void Release(CompleteStudy study)
    {
        lock (_gate)
        {
            _inFlight.Remove(study.StudyInstanceUid);
            if (_renewals.Remove(study.StudyInstanceUid, out var renewal))
            {
                renewal.Dispose();
            }
        }
    }

    /// <summary>Routes the study and records its outcome, or hands it to the model queue; true when handed over.</summary>
    private async Task<bool> ProcessAsync(CompleteStudy study, CancellationToken cancellationToken)
    {
        var span = ProcessingTelemetry.StartStudy(study.StudyInstanceUid);
        try
        {
            if (await ProcessAsync(study, span, cancellationToken))
            {
                span = null; // the model worker ends it
                return true;
            }
            return false;
        }
        finally
        {
            span?.Dispose();
        }
    }

    private async Task<bool> ProcessAsync(CompleteStudy study, Activity? span, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var stages = new List<StageTimingInfo>();
        void Stage(InferenceStage stage, double milliseconds)
        {
            stages.Add(new StageTimingInfo(stage, milliseconds));
            _telemetry?.Stage(stage, milliseconds);
        }
        Stage(InferenceStage.WaitForCompleteness, (study.CompletedAt - study.FirstReceivedAt).TotalMilliseconds);

        var table = rules.Current!;
        var (rule, decision) = RoutingEvaluation.Decide(table, StudyForRouting.From(study.StudyInstanceUid, listener.Value.AeTitle, study.Instances),
            routing.Value.PatternTimeout);
        span?.SetTag("cl2.routing.rule", rule?.Name);
        RecordInferenceResultInput outcome;
        if (rule is null)
        {
            outcome = Failed(study, "none", InferenceFailure.NoRuleMatched,
                $"No routing rule matched the study (routing table version {table.Version}); the decision lists why each rule did not.", decision);
        }
        else if (rule.Workload != "pass-through")
        {
            // The one version this study's outcome names, read once for it: a promotion after this moment is the next study's.
            var model = await production.ResolveAsync(rule.ModelName ?? "", cancellationToken);
            span?.SetTag("cl2.model.version", model?.Version?.Id);
            if (model?.Version is { } version)
            {
                if (models.TryEnqueue(new ModelJob(study, rule.Workload, version, decision, stages, total, span, model.Shadow)))
                {
                    return true;
                }
                // Full: the study stays in the store, unprocessed, and is queued again at a later poll; health says Degraded meanwhile.
                _telemetry?.ModelQueueFull();
                logger.LogWarning("The model queue is full ({Capacity}, Inference:Models:QueueCapacity): study {StudyInstanceUid} waits in the store for a place",
                    models.Capacity, study.StudyInstanceUid);
                return false;
            }
            outcome = Failed(study, rule.Workload, InferenceFailure.NoProductionVersion, model is null
                ? $"Rule '{rule.Name}' names model '{rule.ModelName}', which labeling does not have: register it, or change the rule."
                : $"Model '{model.Name}' has no version in production: promote one (promoteModelVersion).", decision);
        }
        else
        {
            var load = Stopwatch.StartNew();
            using (ProcessingTelemetry.StartStage(InferenceStage.Load))
            {
                outcome = await ReadAllAsync(study, decision, cancellationToken) ?? new RecordInferenceResultInput(study.StudyInstanceUid, null, rule.Workload, [], 0, Routing: decision);
            }
            Stage(InferenceStage.Load, load.Elapsed.TotalMilliseconds);
        }
        outcome = outcome with { DurationMs = total.Elapsed.TotalMilliseconds, Stages = stages };
        await RecordAsync(study, outcome, cancellationToken);
        return false;
    }

    /// <summary>A model worker's turn: the job's version runs on the study, its objects are handed to the delivery outbox,
    /// the outcome is recorded; then the study span ends and the study is released.</summary>
    private async Task RunQueuedAsync(ModelJob job, CancellationToken cancellationToken)
    {
        Activity.Current = job.Span;
        try
        {
            await GuardAsync(job.Study, async () =>
            {
                var stages = new List<StageTimingInfo>(job.Stages);
                void Stage(InferenceStage stage, double milliseconds)
                {
                    stages.Add(new StageTimingInfo(stage, milliseconds));
                    _telemetry?.Stage(stage, milliseconds);
                }
                var (ran, objects, run) = await RunModelAsync(job.Study, job.Workload, job.Version, job.Decision, Stage, cancellationToken);
                var outcome = ran with { DurationMs = job.Total.Elapsed.TotalMilliseconds, Stages = stages };
                if (objects.Count > 0)
                {
                    // Into the outbox before labeling hears of the result: a recorded result always has its deliveries, and
                    // objects the outbox refuses make the study's one outcome a failure, never a second outcome after a result.
                    if (await HandOverAsync(job.Study, outcome, objects, cancellationToken) is not { } handedOver)
                    {
                        return false;
                    }
                    outcome = handedOver;
                }
                var recorded = await RecordAsync(job.Study, outcome, cancellationToken);
                if (recorded is not null && run is not null && job.Shadow is { } shadow && shadow.Id != job.Version.Id
                    && !models.TryEnqueueShadow(new ShadowJob(job.Study.StudyInstanceUid, shadow, job.Workload, run, recorded.Id)))
                {
                    // Production's result is recorded and in the outbox; the shadow would run on the same inputs, delivering
                    // nothing, once no production study waits, but too many shadows wait already.
                    shadows.Skip(shadow, job.Study.StudyInstanceUid, models.ShadowQueueCapacity);
                }
                return false;
            }, cancellationToken);
        }
        finally
        {
            job.Span?.Dispose();
            Activity.Current = null;
            Release(job.Study);
        }
    }

    /// <summary>A model worker's turn with no production study waiting: the shadow runs on what production read, delivering nothing.</summary>
    private Task RunShadowAsync(ShadowJob job, CancellationToken cancellationToken) =>
        shadows.RunAsync(job.Shadow, WorkloadRegistry.Get(job.Workload), job.Production.Study, job.Production.Result, job.ProductionResultId, cancellationToken);

    /// <summary>
    /// Runs <paramref name="version"/> on the study's stored instances (<see cref="WorkloadRunner"/>) and encodes the result
    /// as SEG + SR (<see cref="ResultObjects"/>, UIDs named by study and version, so processing the study again gives the
    /// same objects). A study or model the workload cannot run on is the recorded failure its <see cref="WorkloadException.Code"/> maps to.
    /// </summary>
    private async Task<(RecordInferenceResultInput Outcome, IReadOnlyList<byte[]> Objects, ProductionRun? Run)> RunModelAsync(CompleteStudy study, string workloadName,
        ModelVersionInfo version, RoutingDecisionInfo decision, Action<InferenceStage, double> stage, CancellationToken cancellationToken)
    {
        try
        {
            var workload = WorkloadRegistry.Get(workloadName);
            var (loadStartedAt, load) = (DateTime.UtcNow, Stopwatch.StartNew());
            var runner = await runners.GetAsync(version, workload, cancellationToken);
            var files = new List<DicomFile>(study.Instances.Count);
            foreach (var instance in study.Instances)
            {
                files.Add(ReadInstance(instance));
            }
            ModelRunResult run;
            lock (runner)
            {
                // Runs of one version take turns (its network is one module); other versions run on the other workers meanwhile.
                run = ModelStages.Run(runner, files, loadStartedAt, load.Elapsed, $"{study.StudyInstanceUid}/{version.Id}", $"v{version.Number}", time.GetUtcNow(),
                    cancellationToken);
            }
            foreach (var timing in run.Stages)
            {
                stage(timing.Stage, timing.DurationMs);
            }
            return (new RecordInferenceResultInput(study.StudyInstanceUid, version.Id, workloadName, run.ResultUids, 0, Routing: decision), run.Objects,
                new ProductionRun(files, run.Result));
        }
        catch (WorkloadException refused)
        {
            var failure = refused.Code switch
            {
                WorkloadErrorCodes.SeriesNotFound or WorkloadErrorCodes.EmptyStudy => InferenceFailure.MissingSeries,
                WorkloadErrorCodes.SeriesNotAVolume or WorkloadErrorCodes.ChannelsOnDifferentGrids or WorkloadErrorCodes.SeriesAmbiguous => InferenceFailure.UnusableVolume,
                WorkloadErrorCodes.UnreadableInstance => InferenceFailure.CorruptInstance,
                WorkloadErrorCodes.ManifestDoesNotFit => InferenceFailure.ManifestMismatch,
                _ => InferenceFailure.WorkloadFailed,
            };
            return (Failed(study, workloadName, failure, $"{refused.Code}: {refused.Message}", decision) with { ModelVersionId = version.Id }, [], null);
        }
        catch (HttpRequestException answered) when (answered.StatusCode is not null)
        {
            // Labeling answered but has no such blob: the version cannot run until it is registered with its checkpoint's digest.
            var unfetched = Failed(study, workloadName, InferenceFailure.WorkloadFailed,
                $"Version {version.Number}'s checkpoint cannot be fetched: {answered.Message} Register a version whose artifact digest is in labeling's blob store, and promote it.",
                decision);
            return (unfetched with { ModelVersionId = version.Id }, [], null);
        }
        catch (InvalidDataException unusable)
        {
            var unusableCheckpoint = Failed(study, workloadName, InferenceFailure.WorkloadFailed,
                $"Version {version.Number}'s checkpoint cannot be used: {unusable.Message}.", decision);
            return (unusableCheckpoint with { ModelVersionId = version.Id }, [], null);
        }
    }

    /// <summary>
    /// Hands a model run's objects to the delivery outbox under the id labeling will record the result with, before it is
    /// recorded. Returns the outcome to record: the result; or WORKLOAD_FAILED naming the version when an object is not a
    /// Part 10 file the outbox takes; or null when the outbox cannot store them now (its disk), and then nothing is recorded
    /// and the study is processed again later, as when labeling does not take an outcome. Handing the same result over
    /// again (a study processed again) adds no delivery.
    /// </summary>
    private async Task<RecordInferenceResultInput?> HandOverAsync(CompleteStudy study, RecordInferenceResultInput result, IReadOnlyList<byte[]> objects,
        CancellationToken cancellationToken)
    {
        var deliver = Stopwatch.StartNew();
        try
        {
            await delivery.EnqueueAsync(ResultIdOf(study, result), study.StudyInstanceUid, study.Instances[0].CallingAeTitle, objects, cancellationToken);
        }
        catch (InvalidDataException refused)
        {
            logger.LogError("The result objects of study {StudyInstanceUid} were refused by the delivery outbox and are not delivered: {Reason}",
                study.StudyInstanceUid, refused.Message);
            return Failed(study, result.Pipeline, InferenceFailure.WorkloadFailed,
                $"The result objects could not be handed to the delivery outbox ({refused.Message}); nothing was delivered. Send the study again to process it again.",
                result.Routing!) with
            { ModelVersionId = result.ModelVersionId, DurationMs = result.DurationMs, Stages = result.Stages };
        }
        catch (IOException unstored) when (!cancellationToken.IsCancellationRequested)
        {
            RetryLater(study, $"the delivery outbox could not store the result objects ({unstored.Message})");
            return null;
        }
        _telemetry?.Stage(InferenceStage.Deliver, deliver.Elapsed.TotalMilliseconds);
        return result;
    }

    /// <exception cref="WorkloadException">UNREADABLE_INSTANCE naming the instance.</exception>
    private DicomFile ReadInstance(StoredInstance instance)
    {
        try
        {
            using var part10 = store.OpenPart10(instance);
            return DicomFile.Open(part10);
        }
        catch (Exception unreadable) when (unreadable is IOException or InvalidDataException or DicomFormatException)
        {
            throw new WorkloadException(WorkloadErrorCodes.UnreadableInstance,
                $"SOP Instance {instance.SopInstanceUid} cannot be read from the store ({unreadable.Message}); send the study again");
        }
    }

    /// <summary>The pass-through workload's run: every instance of the study read back whole from the store. A CORRUPT_INSTANCE
    /// outcome when one cannot be read; null when all can.</summary>
    private async Task<RecordInferenceResultInput?> ReadAllAsync(CompleteStudy study, RoutingDecisionInfo decision, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        foreach (var instance in study.Instances)
        {
            try
            {
                await using var part10 = store.OpenPart10(instance);
                long read = 0;
                for (int chunk; (chunk = await part10.ReadAsync(buffer, cancellationToken)) > 0;)
                {
                    read += chunk;
                }
                if (read != instance.Length)
                {
                    throw new IOException($"{read} bytes were read, the store holds {instance.Length}");
                }
            }
            catch (IOException unreadable)
            {
                return Failed(study, "pass-through", InferenceFailure.CorruptInstance,
                    $"SOP Instance {instance.SopInstanceUid} cannot be read from the store ({unreadable.Message}); send the study again.", decision);
            }
        }
        return null;
    }

    private static RecordInferenceResultInput Failed(CompleteStudy study, string pipeline, InferenceFailure failure, string reason, RoutingDecisionInfo decision) =>
        new(study.StudyInstanceUid, null, pipeline, [], 0, failure, reason, decision);

    /// <summary>Records <paramref name="outcome"/> in labeling; null when labeling did not take it (the study is processed again later).</summary>
    private async Task<InferenceResultInfo?> RecordAsync(CompleteStudy study, RecordInferenceResultInput outcome, CancellationToken cancellationToken)
    {
        InferenceResultInfo recorded;
        try
        {
            recorded = await services.GetRequiredService<LabelingClient>().RecordInferenceResultAsync(outcome with { ResultId = ResultIdOf(study, outcome) },
                cancellationToken);
            if (claims.IsOn)
            {
                // The result's deliveries are claimed in labeling before the study counts as processed: a replica that dies
                // after this leaves them to the others (their leases run out); one that dies before it leaves the study.
                await services.GetRequiredService<DeliveryLeases>().ClaimResultAsync(recorded.Id, cancellationToken);
                // Not said: the study is processed here again (labeling keeps the one result under its id), then said.
                await claims.FinishAsync(study, cancellationToken);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            RetryLater(study, e.Message);
            return null;
        }
        try
        {
            ledger.MarkProcessed(study.StudyInstanceUid, study.Instances.Count);
        }
        catch (IOException unwritten)
        {
            // Labeling has the outcome, so no other may follow it. Without the line a restart processes the study again,
            // under the same result id: labeling keeps one.
            logger.LogError("Study {StudyInstanceUid}'s outcome is recorded in labeling, but the processing ledger could not be written ({Error}); " +
                "after a restart the study is processed again and recorded once", study.StudyInstanceUid, unwritten.Message);
        }
        lock (_gate)
        {
            _recordFailures.Remove(study.StudyInstanceUid);
        }
        var what = outcome.Failure?.ToString() ?? "Completed";
        _telemetry?.Processed(what);
        logger.LogInformation("Study {StudyInstanceUid} ({Instances} instances, complete by {Reason}): {Outcome} by {Pipeline}, recorded in labeling",
            study.StudyInstanceUid, study.Instances.Count, study.Reason, what, outcome.Pipeline);
        return recorded;
    }

    /// <summary>The same key for the same outcome of the same study at the same instance count: a study processed again after a
    /// crash between labeling taking its outcome and the ledger line is recorded once, and its objects are handed to the
    /// outbox once; a different outcome is a new one.</summary>
    private static Guid ResultIdOf(CompleteStudy study, RecordInferenceResultInput outcome) =>
        RecordInferenceResultInput.ResultIdFor(study.StudyInstanceUid, outcome.ModelVersionId, outcome.Pipeline, $"{study.Instances.Count}/{outcome.Failure}");

    /// <summary>Labeling did not answer or take the outcome, or the outbox could not store the result's objects: the study is
    /// processed again after 1, 2, 4 … seconds.</summary>
    private void RetryLater(CompleteStudy study, string error)
    {
        (int Failures, DateTimeOffset RetryAt) failed;
        lock (_gate)
        {
            var failures = _recordFailures.GetValueOrDefault(study.StudyInstanceUid).Failures + 1;
            var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - 1), options.Value.MaxRetryDelay.TotalSeconds));
            _recordFailures[study.StudyInstanceUid] = failed = (failures, time.GetUtcNow() + delay);
        }
        logger.LogWarning("The outcome of study {StudyInstanceUid} is not recorded ({Failures} tries): {Error}. It is processed again at {RetryAt}",
            study.StudyInstanceUid, failed.Failures, error, failed.RetryAt);
    }
}
