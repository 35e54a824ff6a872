using Cl2.Labeling.Client;

namespace Cl2.Training.Jobs;

/// <summary>
/// Renews the lease of the job being run every <see cref="TrainingJobOptions.ResolvedLeaseRenewalInterval"/>, from the
/// claim until training ends, so reading a large dataset or one long epoch does not let another worker reclaim a job
/// that is still running. When labeling answers that the job is no longer this attempt's (TRAINING_LEASE_LOST, or
/// finished), <see cref="Token"/> is cancelled so the training stops at its next batch. A renewal that fails for any
/// other reason (labeling down) is logged and tried again at the next tick. Every
/// <see cref="TrainingJobOptions.CancellationPollInterval"/> it also asks whether someone cancelled the job
/// (cancelTrainingJob); if so, <see cref="IsCancelRequested"/> is set and <see cref="Token"/> cancelled, so training
/// stops at its next step.
/// </summary>
public sealed partial class LeaseHeartbeat : IAsyncDisposable
{
    private readonly LabelingClient labeling;
    private readonly TrainingJobInfo job;
    private readonly ILogger logger;
    private readonly CancellationTokenSource lost;
    private readonly CancellationTokenSource stop;
    private readonly Task beating;
    private readonly Task watching;
    private volatile bool isLost;
    private volatile bool isCancelRequested;

    private LeaseHeartbeat(LabelingClient labeling, TrainingJobInfo job, TrainingJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        this.labeling = labeling;
        this.job = job;
        this.logger = logger;
        lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        beating = BeatAsync(options.ResolvedLeaseRenewalInterval, options.LeaseSeconds);
        watching = WatchAsync(options.CancellationPollInterval);
    }

    /// <summary>Cancelled when the worker shuts down, another worker took the job over, or someone cancelled the job.</summary>
    public CancellationToken Token => lost.Token;

    /// <summary>Someone asked the job to stop (cancelTrainingJob): complete it CANCELLED with the last checkpoint.</summary>
    public bool IsCancelRequested => isCancelRequested;

    /// <summary>Labeling said the job is no longer this attempt's: do not report or complete it.</summary>
    public bool IsLost => isLost;

    public static LeaseHeartbeat Start(LabelingClient labeling, TrainingJobInfo job, TrainingJobOptions options, ILogger logger,
        CancellationToken cancellationToken) => new(labeling, job, options, logger, cancellationToken);

    private async Task BeatAsync(TimeSpan interval, int leaseSeconds)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    var renewed = await labeling.RenewTrainingLeaseAsync(new RenewTrainingLeaseInput(job.Id, job.Attempt, leaseSeconds), stop.Token);
                    LogRenewed(logger, job.Id, job.Attempt, renewed.LeaseExpiresAt);
                }
                catch (LabelingApiException exception) when (IsTakenOver(exception))
                {
                    isLost = true;
                    LogTakenOver(logger, job.Id, job.Attempt, exception.Message);
                    await lost.CancelAsync();
                    return;
                }
                catch (Exception exception) when (!stop.IsCancellationRequested)
                {
                    LogRenewFailed(logger, job.Id, job.Attempt, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Training ended, or the worker is shutting down.
        }
    }

    private async Task WatchAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    if ((await labeling.TrainingJobAsync(job.Id, stop.Token))?.CancellationRequestedAt is { } requestedAt)
                    {
                        isCancelRequested = true;
                        LogCancelRequested(logger, job.Id, job.Attempt, requestedAt);
                        await lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception exception) when (!stop.IsCancellationRequested)
                {
                    LogWatchFailed(logger, job.Id, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Training ended, or the worker is shutting down.
        }
    }

    /// <summary>Stops renewing and watching (before the job is completed, so no renewal races the completion).</summary>
    public async Task StopAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }
        await beating;
        await watching;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
        lost.Dispose();
    }

    /// <summary>The refusals that say another attempt owns the job's outcome now.</summary>
    public static bool IsTakenOver(LabelingApiException exception) => exception.Errors.Any(error => error.Code is LeaseLost or JobNotRunning);

    private const string LeaseLost = "TRAINING_LEASE_LOST";
    private const string JobNotRunning = "TRAINING_JOB_NOT_RUNNING";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} attempt {Attempt}: lease renewed until {ExpiresAt}")]
    private static partial void LogRenewed(ILogger logger, Guid jobId, int attempt, DateTimeOffset? expiresAt);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Job {JobId} attempt {Attempt}: another worker took the job over (its lease ran out); stopping this attempt without reporting: {Reason}")]
    private static partial void LogTakenOver(ILogger logger, Guid jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: cancellation requested at {RequestedAt}; stopping at the next step")]
    private static partial void LogCancelRequested(ILogger logger, Guid jobId, int attempt, DateTimeOffset requestedAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId}: could not ask whether the job was cancelled, asking again at the next tick: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, Guid jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: could not renew the lease, trying again at the next tick: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, Guid jobId, int attempt, string reason);
}
