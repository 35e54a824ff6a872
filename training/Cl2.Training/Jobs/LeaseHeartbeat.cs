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
    private readonly LabelingClient _labeling;
    private readonly TrainingJobInfo _job;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost;
    private readonly CancellationTokenSource _stop;
    private readonly Task _beating;
    private readonly Task _watching;
    private volatile bool _isLost;
    private volatile bool _isCancelRequested;

    private LeaseHeartbeat(LabelingClient labeling, TrainingJobInfo job, TrainingJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        this._labeling = labeling;
        this._job = job;
        this._logger = logger;
        _lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _beating = BeatAsync(options.ResolvedLeaseRenewalInterval, options.LeaseSeconds);
        _watching = WatchAsync(options.CancellationPollInterval);
    }

    /// <summary>Cancelled when the worker shuts down, another worker took the job over, or someone cancelled the job.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>Someone asked the job to stop (cancelTrainingJob): complete it CANCELLED with the last checkpoint.</summary>
    public bool IsCancelRequested => _isCancelRequested;

    /// <summary>Labeling said the job is no longer this attempt's: do not report or complete it.</summary>
    public bool IsLost => _isLost;

    public static LeaseHeartbeat Start(LabelingClient labeling, TrainingJobInfo job, TrainingJobOptions options, ILogger logger,
        CancellationToken cancellationToken) => new(labeling, job, options, logger, cancellationToken);

    private async Task BeatAsync(TimeSpan interval, int leaseSeconds)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    var renewed = await _labeling.RenewTrainingLeaseAsync(new RenewTrainingLeaseInput(_job.Id, _job.Attempt, leaseSeconds), _stop.Token);
                    LogRenewed(_logger, _job.Id, _job.Attempt, renewed.LeaseExpiresAt);
                }
                catch (LabelingApiException exception) when (IsTakenOver(exception))
                {
                    _isLost = true;
                    LogTakenOver(_logger, _job.Id, _job.Attempt, exception.Message);
                    await _lost.CancelAsync();
                    return;
                }
                catch (Exception exception) when (!_stop.IsCancellationRequested)
                {
                    LogRenewFailed(_logger, _job.Id, _job.Attempt, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Training ended, or the worker is shutting down.
        }
    }

    private async Task WatchAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    if ((await _labeling.TrainingJobAsync(_job.Id, _stop.Token))?.CancellationRequestedAt is { } requestedAt)
                    {
                        _isCancelRequested = true;
                        LogCancelRequested(_logger, _job.Id, _job.Attempt, requestedAt);
                        await _lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception exception) when (!_stop.IsCancellationRequested)
                {
                    LogWatchFailed(_logger, _job.Id, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Training ended, or the worker is shutting down.
        }
    }

    /// <summary>Stops renewing and watching (before the job is completed, so no renewal races the completion).</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }
        await _beating;
        await _watching;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _lost.Dispose();
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
