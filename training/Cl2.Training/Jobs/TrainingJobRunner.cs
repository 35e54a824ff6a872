using System.Security.Cryptography;
using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Synthetic;
using Cl2.Models.Training;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Cl2.Training.Jobs;

/// <summary>
/// Runs one claimed job to its end: prepares the synthetic cohort of the model's task, resumes from the job's last
/// checkpoint when another worker started it, trains, uploads a resumable checkpoint and reports after every epoch
/// (which renews the lease), uploads the final weights, registers the candidate version and completes the job.
/// </summary>
public sealed partial class TrainingJobRunner(
    LabelingClient labeling,
    BlobClient blobs,
    ComputeDevice device,
    IOptions<TrainingJobOptions> options,
    ILogger<TrainingJobRunner> logger)
{
    public async Task RunAsync(TrainingJobInfo job, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.Value.ResolvedWorkDirectory, job.Id.ToString("N"));
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var versionId = await TrainAsync(job, folder, cancellationToken);
            await labeling.CompleteTrainingJobAsync(new CompleteTrainingJobInput(job.Id, job.Attempt, TrainingOutcome.Succeeded, versionId), cancellationToken);
            LogSucceeded(logger, job.Id, job.Attempt, versionId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another worker resumes from the last checkpoint.
            LogAbandoned(logger, job.Id);
        }
        catch (Exception exception)
        {
            LogFailed(logger, exception, job.Id, job.Attempt);
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
        if (job.DatasetId is { } datasetId)
        {
            throw new NotSupportedException(
                $"The job names dataset {datasetId}, and this worker cannot read a dataset's images and labels yet; " +
                "request the training without a dataset to train on the model task's synthetic cohort.");
        }
        if (await labeling.RegisteredVersionAsync(job.ModelId, job.Id, cancellationToken) is { } registered)
        {
            // A worker was cut off between registering and completing: complete with its version instead of a second one.
            LogAlreadyRegistered(logger, job.Id, registered);
            return registered;
        }
        var settings = options.Value;
        var task = SyntheticTasks.Parse(await labeling.ModelTaskAsync(job.Id, cancellationToken));
        var size = settings.SyntheticSize > 0 ? settings.SyntheticSize : task.DefaultSize();
        var cohort = Path.Combine(folder, "cohort");
        var manifest = SyntheticCohort.Write(task, cohort, settings.SyntheticCases, settings.Seed, size, cancellationToken: cancellationToken);
        var validationCount = Math.Max(1, manifest.Cases.Count / 5);
        var trainingCases = manifest.Cases.Take(manifest.Cases.Count - validationCount).ToList();
        var validationCases = manifest.Cases.Skip(manifest.Cases.Count - validationCount).ToList();
        var dataDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(cohort, CohortManifest.FileName), cancellationToken)));

        using var scope = NewDisposeScope();
        var (trainInputs, trainTargets) = SyntheticTrainingSet.Load(cohort, trainingCases, task);
        var (validInputs, validTargets) = SyntheticTrainingSet.Load(cohort, validationCases, task);
        var spacing = SyntheticTrainingSet.Spacing(cohort, manifest.Cases[0], task);
        var recipe = SyntheticRecipe.For(task, settings.Epochs, settings.Seed, trainingCases.Count);
        var checkpoints = Path.Combine(folder, "checkpoints");
        var batchesPerEpoch = (trainingCases.Count + recipe.Options.BatchSize - 1) / recipe.Options.BatchSize;
        // A resumable checkpoint at each epoch's last step, so every epoch report can name one.
        var trainerOptions = recipe.Options with { CheckpointDirectory = checkpoints, CheckpointEvery = batchesPerEpoch };

        if (job.LastCheckpointDigest is { } digest)
        {
            var archive = Path.Combine(folder, "resume.tar");
            await blobs.DownloadAsync(digest, archive, cancellationToken);
            CheckpointArchive.Unpack(archive, Path.Combine(checkpoints, Trainer.ResumeFolder));
        }
        random.manual_seed(settings.Seed);
        var network = job.BaseVersionId is { } baseVersion
            ? await BaseNetworkAsync(baseVersion, Path.Combine(folder, "base"), cancellationToken)
            : recipe.CreateNetwork();
        using var trainer = new Trainer(network, recipe.CreateLoss(), trainerOptions, device);
        if (trainer.TryResume())
        {
            LogResumed(logger, job.Id, job.Attempt, trainer.State.Epoch, trainer.State.Step);
        }
        var reporter = new EpochReporter(report => ReportEpochAsync(job, report, checkpoints, cancellationToken).GetAwaiter().GetResult());
        // The trainer is synchronous; it runs off the host's threads and reports each epoch from its own thread.
        var result = await Task.Run(
            () => trainer.Train(new InMemoryData(trainInputs, trainTargets), new InMemoryData(validInputs, validTargets),
                recipe.CreateMetrics(spacing), reporter, cancellationToken),
            cancellationToken);

        var input = new InputSpec(recipe.Channels, [.. spacing.Reverse()]);
        var codeVersion = typeof(TrainingJobRunner).Assembly.GetName().Version?.ToString() ?? "unknown";
        var lineage = new TrainingLineage(dataDigest, job.BaseVersionId?.ToString(), codeVersion);
        var model = Path.Combine(folder, "model");
        await Checkpoint.WriteAsync(network, new CheckpointManifest(recipe.Architecture, input, recipe.Output, lineage, ""), model, cancellationToken);
        var artifact = await blobs.UploadAsync(CheckpointArchive.Pack(model), cancellationToken);
        var metrics = Finite(result.LastMetrics);
        var version = await labeling.RegisterModelVersionAsync(
            new RegisterModelVersionInput(job.ModelId, metrics, artifact, dataDigest, codeVersion, job.BaseVersionId, TrainingJobId: job.Id),
            cancellationToken);
        return version.Id;
    }

    private async Task ReportEpochAsync(TrainingJobInfo job, TrainingProgress report, string checkpoints, CancellationToken cancellationToken)
    {
        var digest = await blobs.UploadAsync(CheckpointArchive.Pack(Path.Combine(checkpoints, Trainer.ResumeFolder)), cancellationToken);
        var metrics = Finite(report.Metrics);
        var loss = double.IsFinite(report.Loss) ? report.Loss : 0;
        await labeling.ReportTrainingProgressAsync(
            new ReportTrainingProgressInput(job.Id, job.Attempt, report.Epoch, loss, metrics, digest, options.Value.LeaseSeconds),
            cancellationToken);
        LogEpoch(logger, job.Id, report.Epoch, loss, digest);
    }

    /// <summary>JSON has no infinity: a Hausdorff distance with an empty prediction is left out rather than sent.</summary>
    private static List<MetricValue> Finite(IReadOnlyDictionary<string, double> metrics) =>
        [.. metrics.Where(metric => double.IsFinite(metric.Value)).Select(metric => new MetricValue(metric.Key, metric.Value))];

    private async Task<TorchSharp.torch.nn.Module<Tensor, Tensor>> BaseNetworkAsync(Guid versionId, string folder, CancellationToken cancellationToken)
    {
        var archive = folder + ".tar";
        await blobs.DownloadAsync(await labeling.ArtifactDigestAsync(versionId, cancellationToken), archive, cancellationToken);
        CheckpointArchive.Unpack(archive, folder);
        return (await Checkpoint.ReadAsync(folder, cancellationToken)).Network;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} already has version {VersionId} from an earlier attempt")]
    private static partial void LogAlreadyRegistered(ILogger logger, Guid jobId, Guid versionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} epoch {Epoch}: loss {Loss:F4}, checkpoint {Digest}")]
    private static partial void LogEpoch(ILogger logger, Guid jobId, int epoch, double loss, string digest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} succeeded: version {VersionId}")]
    private static partial void LogSucceeded(ILogger logger, Guid jobId, int attempt, Guid versionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} left unfinished at shutdown; another worker resumes it when its lease runs out")]
    private static partial void LogAbandoned(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} attempt {Attempt} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} could not be completed as failed: {Reason}")]
    private static partial void LogNotCompleted(ILogger logger, Guid jobId, string reason);
}
