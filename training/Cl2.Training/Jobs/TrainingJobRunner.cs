using System.Security.Cryptography;
using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Training;
using Cl2.Models.Workloads;
using Cl2.Training.Datasets;
using Cl2.Training.Evaluation;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Jobs;

/// <summary>
/// Runs one claimed job to its end: reads the job's dataset from the archive (or, without one, prepares the synthetic
/// cohort of the model's task), loads the base version's weights, resumes from the job's last
/// checkpoint when another worker started it, trains, uploads a resumable checkpoint and reports after every epoch,
/// uploads the final weights, registers the candidate version and completes the job. A <see cref="LeaseHeartbeat"/>
/// renews the lease throughout, and stops the job when another worker took it over.
/// </summary>
public sealed partial class TrainingJobRunner(
    LabelingClient labeling,
    BlobClient blobs,
    ArchiveDataset dataset,
    CaseCache cache,
    ComputeDevice device,
    IOptions<TrainingJobOptions> options,
    IOptions<TrainingCacheOptions> cacheOptions,
    ILogger<TrainingJobRunner> logger)
{
    public async Task RunAsync(TrainingJobInfo job, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.Value.ResolvedWorkDirectory, job.Id.ToString("N"));
        await using var heartbeat = LeaseHeartbeat.Start(labeling, job, options.Value, logger, cancellationToken);
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var versionId = await TrainAsync(job, folder, heartbeat.Token);
            await heartbeat.StopAsync();
            await labeling.CompleteTrainingJobAsync(new CompleteTrainingJobInput(job.Id, job.Attempt, TrainingOutcome.Succeeded, versionId), cancellationToken);
            LogSucceeded(logger, job.Id, job.Attempt, versionId);
        }
        catch (Exception) when (heartbeat.IsCancelRequested && !cancellationToken.IsCancellationRequested)
        {
            // Someone cancelled the job: the trainer stopped at its step and wrote that step's checkpoint.
            await heartbeat.StopAsync();
            await CompleteCancelledAsync(job, Path.Combine(folder, "checkpoints", Trainer.ResumeFolder), cancellationToken);
        }
        catch (Exception exception) when (heartbeat.IsLost || (exception is LabelingApiException refused && LeaseHeartbeat.IsTakenOver(refused)))
        {
            // Another worker holds the job now and owns its outcome: report nothing more.
            LogTakenOver(logger, job.Id, job.Attempt);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another worker resumes from the last checkpoint.
            LogAbandoned(logger, job.Id);
        }
        catch (Exception exception)
        {
            LogFailed(logger, exception, job.Id, job.Attempt);
            // No renewal may race the completion: refused as "not running", it would read as a take-over.
            await heartbeat.StopAsync();
            await TryFailAsync(job, exception, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private async Task<Guid> TrainAsync(TrainingJobInfo job, string folder, CancellationToken cancellationToken)
    {
        if (await labeling.RegisteredVersionAsync(job.ModelId, job.Id, cancellationToken) is { } registered)
        {
            // A worker was cut off between registering and completing: complete with its version instead of a second one.
            LogAlreadyRegistered(logger, job.Id, registered);
            return registered;
        }
        var settings = options.Value;
        var precision = RecipePrecision(job.Recipe?.Precision);
        // Before any data is read: a CPU worker cannot train bf16-autocast, and says so in the job's failure reason.
        TrainingPrecisions.EnsureSupported(precision, device);
        var task = WorkloadTasks.Parse(await labeling.ModelTaskAsync(job.Id, cancellationToken));
        var epochs = job.Recipe?.Epochs ?? settings.Epochs;
        // The base is read before the data, so a job whose base does not fit its task fails at once.
        var workload = WorkloadRegistry.For(task);
        (CheckpointManifest Manifest, TorchSharp.torch.nn.Module<Tensor, Tensor> Network)? baseCheckpoint = job.BaseVersionId is { } baseVersion
            ? await BaseCheckpointAsync(baseVersion, workload, Path.Combine(folder, "base"), cancellationToken)
            : null;
        // The recipe's spacing and patch size replace the workload's; a fine-tuned model keeps its base's grid unless the
        // recipe names one (inference feeds it on that grid); a synthetic cohort keeps its own grid unless the recipe names one.
        var spacing = job.Recipe?.SpacingMm ?? (workload.Sampling is null ? null : baseCheckpoint?.Manifest.Input.SpacingMm);
        var sampling = PatchSampling.For(workload, spacing, job.Recipe?.PatchSize?.Select(edge => (long)edge).ToList(), onCasesGrid: job.DatasetId is null);
        var cases = job.DatasetId is not null
            ? await dataset.LoadAsync(job.Id, workload, sampling?.Spacing, cache, cancellationToken)
            : await SyntheticDataAsync(task, sampling?.Spacing, Path.Combine(folder, "cohort"), cancellationToken);
        var trainingCount = cases.Training.Count;
        LogData(logger, job.Id, trainingCount, cases.Validation.Count, cases.Skipped.Count, cases.DataDigest);
        var loader = cacheOptions.Value;
        using var data = StreamingDataset.Open(sampling, cache, cases.Training, cases.Validation, settings.Seed, loader.LoaderWorkers, loader.PrefetchBatches);
        var recipe = workload.Training(epochs, settings.Seed, trainingCount)
            .With(job.Recipe?.BatchSize, job.Recipe?.LearningRate, trainingCount);
        var checkpoints = Path.Combine(folder, "checkpoints");
        var batchesPerEpoch = (trainingCount + recipe.Options.BatchSize - 1) / recipe.Options.BatchSize;
        // A resumable checkpoint at each epoch's last step, so every epoch report can name one.
        var trainerOptions = recipe.Options with
        {
            CheckpointDirectory = checkpoints,
            CheckpointEvery = batchesPerEpoch,
            ValidationWindow = data.ValidationWindow,
            Precision = precision,
        };

        if (job.LastCheckpointDigest is { } digest)
        {
            var archive = Path.Combine(folder, "resume.tar");
            await blobs.DownloadAsync(digest, archive, cancellationToken);
            CheckpointArchive.Unpack(archive, Path.Combine(checkpoints, Trainer.ResumeFolder));
        }
        // Fine-tuned weights keep the base's architecture (its hyper-parameters may differ from the workload's).
        var architecture = baseCheckpoint?.Manifest.Architecture ?? workload.ArchitectureOf(settings.Network);
        random.manual_seed(settings.Seed);
        using var network = baseCheckpoint?.Network ?? architecture.Create();
        // Accepted results' samples weigh Training:Feedback:AcceptedLabelWeight in the loss; null when every case weighs 1.
        var weighting = cases.TrainingWeights is { } weights ? new SampleWeighting(weights) : null;
        using var trainer = new Trainer(network, weighting?.Loss(recipe.CreateLoss()) ?? recipe.CreateLoss(), trainerOptions, device);
        if (trainer.TryResume())
        {
            LogResumed(logger, job.Id, job.Attempt, trainer.State.Epoch, trainer.State.Step);
        }
        List<MetricValue> counts = job.DatasetId is null ? [] :
        [
            new("cases_train", trainingCount), new("cases_validation", cases.Validation.Count), new("cases_skipped", cases.Skipped.Count),
        ];
        var reporter = new EpochReporter(report => ReportEpochAsync(job, report, counts, checkpoints, cancellationToken).GetAwaiter().GetResult());
        // The trainer is synchronous; it runs off the host's threads and reports each epoch from its own thread.
        var result = await Task.Run(
            () => trainer.Train(weighting?.Data(data.Training) ?? data.Training, data.Validation, recipe.CreateMetrics(data.Spacing), reporter, cancellationToken),
            cancellationToken);

        var input = new InputSpec(workload.Channels, [.. data.Spacing.Reverse()]);
        var codeVersion = typeof(TrainingJobRunner).Assembly.GetName().Version?.ToString() ?? "unknown";
        var lineage = new TrainingLineage(cases.DataDigest, job.BaseVersionId?.ToString(), codeVersion, Numerics: TrainingNumerics.Of(device, precision),
            Sampling: data.Record(settings.Seed));
        var model = Path.Combine(folder, "model");
        await Checkpoint.WriteAsync(network, new CheckpointManifest(architecture, input, workload.Output, lineage, ""), model, cancellationToken);
        var artifact = await blobs.UploadAsync(CheckpointArchive.Pack(model), cancellationToken);
        var metrics = Finite(result.LastMetrics);
        // Evaluated before it is registered, so a production version that cannot be evaluated fails the job, not the gate.
        (Guid? ProductionVersionId, IReadOnlyList<EvaluationSetInput> Sets)? evaluation = job.DatasetId is null ? null : await EvaluateAsync(job, network, workload, cases.HeldOut, data, recipe, folder, cancellationToken);
        var version = await labeling.RegisterModelVersionAsync(
            new RegisterModelVersionInput(job.ModelId, metrics, artifact, cases.DataDigest, codeVersion, job.BaseVersionId,
                LabelRevisionIds: cases.LabelRevisionIds.Count > 0 ? cases.LabelRevisionIds : null,
                FeedbackIds: cases.FeedbackIds.Count > 0 ? cases.FeedbackIds : null, TrainingJobId: job.Id,
                AcceptedResults: cases.AcceptedResults is { Count: > 0 } accepted ? accepted : null),
            cancellationToken);
        if (evaluation is { } evaluated)
        {
            await RecordEvaluationAsync(job, version.Id, evaluated.ProductionVersionId, evaluated.Sets, cases.HeldOut.FeedbackIds, cancellationToken);
        }
        return version.Id;
    }

    /// <summary>The recipe's precision as labeling's API names it (<c>BF16_AUTOCAST</c>); null is float32.</summary>
    internal static TrainingPrecision RecipePrecision(string? name) => name switch
    {
        null or "FLOAT32" => TrainingPrecision.Float32,
        "BF16_AUTOCAST" => TrainingPrecision.BFloat16Autocast,
        _ => throw new InvalidOperationException($"The job's recipe asks for precision {name}, which this worker does not know; it knows FLOAT32 and BF16_AUTOCAST."),
    };

    /// <summary>The candidate and the version in production now, scored on the job's held-out cases.</summary>
    private async Task<(Guid? ProductionVersionId, IReadOnlyList<EvaluationSetInput> Sets)> EvaluateAsync(TrainingJobInfo job,
        TorchSharp.torch.nn.Module<Tensor, Tensor> candidate, Workload workload, HeldOutCases heldOut, StreamingDataset data, WorkloadTraining recipe,
        string folder, CancellationToken cancellationToken)
    {
        var production = await labeling.ProductionVersionAsync(job.ModelId, cancellationToken);
        // Read afresh even when it is the base: the base's network is the one that was just fine-tuned.
        var checkpoint = production is null ? ((CheckpointManifest, TorchSharp.torch.nn.Module<Tensor, Tensor>)?)null
            : await BaseCheckpointAsync(production.Id, workload, Path.Combine(folder, "production"), cancellationToken);
        using var productionNetwork = checkpoint?.Item2;
        productionNetwork?.to(device.Device);
        var sets = await Task.Run(
            () => HeldOutEvaluation.Score(candidate, productionNetwork, heldOut, cache, () => recipe.CreateMetrics(data.Spacing), recipe.KeyMetric, data, device,
                cancellationToken),
            cancellationToken);
        if (heldOut.Feedback.Count > 0 && sets.Any(set => set.Split == EvaluationSplit.Feedback && set.CaseCount == 0))
        {
            LogFeedbackUndefined(logger, job.Id, recipe.KeyMetric, heldOut.Feedback.Count);
        }
        return (production?.Id, sets);
    }

    /// <summary>Records the evaluation, so the model's gate decides. Production may have changed since it was read: the
    /// candidate then stays unevaluated (an ML engineer evaluates it again) rather than failing a job whose version exists.</summary>
    private async Task RecordEvaluationAsync(TrainingJobInfo job, Guid versionId, Guid? productionVersionId, IReadOnlyList<EvaluationSetInput> sets,
        IReadOnlyList<Guid> feedbackIds, CancellationToken cancellationToken)
    {
        foreach (var set in sets)
        {
            LogEvaluated(logger, job.Id, versionId, set.Split, set.Metric, set.CaseCount, set.Candidate, set.Production);
        }
        try
        {
            await labeling.RecordModelEvaluationAsync(new RecordModelEvaluationInput(job.ModelId, versionId, productionVersionId, sets, feedbackIds),
                cancellationToken);
        }
        catch (LabelingApiException stale) when (stale.Errors.Any(error => error.Code == EvaluationBaselineStale))
        {
            LogEvaluationStale(logger, job.Id, versionId, stale.Message);
        }
    }

    private const string EvaluationBaselineStale = "EVALUATION_BASELINE_STALE";

    /// <summary>The model task's synthetic cohort, written as DICOM and prepared into the case cache; the last fifth validates.</summary>
    private async Task<JobCases> SyntheticDataAsync(WorkloadTask task, IReadOnlyList<double>? spacing, string cohort, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var size = settings.SyntheticSize > 0 ? settings.SyntheticSize : task.DefaultSize();
        var manifest = SyntheticCohort.Write(task, cohort, settings.SyntheticCases, settings.Seed, size, cancellationToken: cancellationToken);
        var validationCount = Math.Max(1, manifest.Cases.Count / 5);
        var training = SyntheticTrainingSet.Sources(cohort, [.. manifest.Cases.Take(manifest.Cases.Count - validationCount)], task, spacing);
        var validation = SyntheticTrainingSet.Sources(cohort, [.. manifest.Cases.Skip(manifest.Cases.Count - validationCount)], task, spacing);
        foreach (var source in training.Concat(validation))
        {
            cancellationToken.ThrowIfCancellationRequested();
            cache.Ensure(source.Key, source.Prepare);
        }
        var dataDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(cohort, CohortManifest.FileName), cancellationToken)));
        return new JobCases(training, validation, [], dataDigest, [], [], HeldOutCases.None);
    }

    private async Task ReportEpochAsync(TrainingJobInfo job, TrainingProgress report, IReadOnlyList<MetricValue> counts, string checkpoints,
        CancellationToken cancellationToken)
    {
        var digest = await blobs.UploadAsync(CheckpointArchive.Pack(Path.Combine(checkpoints, Trainer.ResumeFolder)), cancellationToken);
        if (!double.IsFinite(report.Loss))
        {
            // The trainer skipped every step of the epoch (each within its allowance): there is no loss to report, and
            // reporting a stand-in number would make a broken run look like a converged one.
            throw new InvalidOperationException(
                $"{NonFiniteTrainingException.Code}: no step of epoch {report.Epoch} had a finite loss; the job stops rather than report one.");
        }
        var loss = report.Loss;
        List<MetricValue> metrics = [.. Finite(report.Metrics), .. counts];
        await labeling.ReportTrainingProgressAsync(
            new ReportTrainingProgressInput(job.Id, job.Attempt, report.Epoch, loss, metrics, digest, options.Value.LeaseSeconds),
            cancellationToken);
        LogEpoch(logger, job.Id, report.Epoch, loss, digest);
    }

    /// <summary>JSON has no infinity, and no non-finite value is ever reported as a number: a Hausdorff distance with an
    /// empty prediction (infinite) is left out rather than sent.</summary>
    private static List<MetricValue> Finite(IReadOnlyDictionary<string, double> metrics) =>
        [.. metrics.Where(metric => double.IsFinite(metric.Value)).Select(metric => new MetricValue(metric.Key, metric.Value))];

    /// <summary>Downloads the base version's checkpoint and loads its weights, after checking it was made for this task.</summary>
    private async Task<(CheckpointManifest Manifest, TorchSharp.torch.nn.Module<Tensor, Tensor> Network)> BaseCheckpointAsync(
        Guid versionId, Workload workload, string folder, CancellationToken cancellationToken)
    {
        var archive = folder + ".tar";
        await blobs.DownloadAsync(await labeling.ArtifactDigestAsync(versionId, cancellationToken), archive, cancellationToken);
        CheckpointArchive.Unpack(archive, folder);
        var manifest = CheckpointManifest.FromJson(await File.ReadAllTextAsync(Path.Combine(folder, Checkpoint.ManifestFileName), cancellationToken));
        if (BaseMismatch(manifest, workload) is { } mismatch)
        {
            throw new InvalidOperationException(
                $"Base version {versionId} does not fit the {workload.Name} task: {mismatch}. " +
                "Request the training with a base version of this model's task, or without one to train from fresh weights.");
        }
        var loaded = await Checkpoint.ReadAsync(folder, cancellationToken);
        LogVersionLoaded(logger, versionId, manifest.Architecture.Name, manifest.WeightsDigest);
        return loaded;
    }

    /// <summary>Why the base's manifest cannot be fine-tuned as <paramref name="workload"/>: a TorchScript archive, or
    /// what <see cref="Workload.Check"/> finds; null when it can.</summary>
    public static string? BaseMismatch(CheckpointManifest manifest, Workload workload)
    {
        if (manifest.Architecture.IsTorchScript)
        {
            return "it is an imported TorchScript model, whose weights cannot be trained here";
        }
        var problems = workload.Check(manifest);
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Uploads the checkpoint the job stopped at (if training had started) and completes the job CANCELLED with it.</summary>
    private async Task CompleteCancelledAsync(TrainingJobInfo job, string resumeFolder, CancellationToken cancellationToken)
    {
        try
        {
            var digest = TrainingCheckpoint.Exists(resumeFolder)
                ? await blobs.UploadAsync(CheckpointArchive.Pack(resumeFolder), cancellationToken)
                : null;
            await labeling.CompleteTrainingJobAsync(
                new CompleteTrainingJobInput(job.Id, job.Attempt, TrainingOutcome.Cancelled, CheckpointDigest: digest), cancellationToken);
            LogCancelled(logger, job.Id, job.Attempt, digest ?? "none (training had not started)");
        }
        catch (Exception completing) when (completing is LabelingApiException or HttpRequestException)
        {
            LogNotCompleted(logger, job.Id, completing.Message);
        }
    }

    private async Task TryFailAsync(TrainingJobInfo job, Exception exception, CancellationToken cancellationToken)
    {
        try
        {
            var reason = exception.Message.Length > 1000 ? exception.Message[..1000] : exception.Message;
            await labeling.CompleteTrainingJobAsync(new CompleteTrainingJobInput(job.Id, job.Attempt, TrainingOutcome.Failed, FailureReason: reason), cancellationToken);
        }
        catch (Exception completing) when (completing is LabelingApiException or HttpRequestException)
        {
            // Most likely the lease was lost to another worker, which now owns the job's outcome.
            LogNotCompleted(logger, job.Id, completing.Message);
        }
    }

    /// <summary>Reports on the trainer's thread, so the upload and report finish before the next epoch starts.</summary>
    private sealed class EpochReporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Kind == TrainingProgressKind.EpochValidated)
            {
                report(value);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} resumed at epoch {Epoch}, step {Step}")]
    private static partial void LogResumed(ILogger logger, Guid jobId, int attempt, int epoch, long step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} trains on {Training} cases, validates on {Validation}, skipped {Skipped}; data {Digest}")]
    private static partial void LogData(ILogger logger, Guid jobId, int training, int validation, int skipped, string digest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded version {VersionId} ({Architecture}, weights {WeightsDigest})")]
    private static partial void LogVersionLoaded(ILogger logger, Guid versionId, string architecture, string weightsDigest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: the {Metric} on its {Cases} held-out corrected cases is not defined (an AUC needs both classes); the gate judges on the test split alone")]
    private static partial void LogFeedbackUndefined(ILogger logger, Guid jobId, string metric, int cases);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} version {VersionId} on {Split}: {Metric} {Candidate:F4} on {Cases} cases (production {Production})")]
    private static partial void LogEvaluated(ILogger logger, Guid jobId, Guid versionId, EvaluationSplit split, string metric, int cases, double candidate, double? production);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: the evaluation of version {VersionId} was not recorded, production changed meanwhile: {Reason}")]
    private static partial void LogEvaluationStale(ILogger logger, Guid jobId, Guid versionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} already has version {VersionId} from an earlier attempt")]
    private static partial void LogAlreadyRegistered(ILogger logger, Guid jobId, Guid versionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} epoch {Epoch}: loss {Loss:F4}, checkpoint {Digest}")]
    private static partial void LogEpoch(ILogger logger, Guid jobId, int epoch, double loss, string digest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} succeeded: version {VersionId}")]
    private static partial void LogSucceeded(ILogger logger, Guid jobId, int attempt, Guid versionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} stopped: another worker took the job over; nothing more is reported for this attempt")]
    private static partial void LogTakenOver(ILogger logger, Guid jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} cancelled; checkpoint {Digest} (resumeTrainingJob continues from it)")]
    private static partial void LogCancelled(ILogger logger, Guid jobId, int attempt, string digest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} left unfinished at shutdown; another worker resumes it when its lease runs out")]
    private static partial void LogAbandoned(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} attempt {Attempt} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} could not be completed as failed: {Reason}")]
    private static partial void LogNotCompleted(ILogger logger, Guid jobId, string reason);
}
