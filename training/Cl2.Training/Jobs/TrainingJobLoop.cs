using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Training.Scoring;
using Microsoft.Extensions.Options;

namespace Cl2.Training.Jobs;

/// <summary>
/// The worker's main loop: claim a job (labeling gives each job to exactly one worker), run it, and ask again; wait
/// <see cref="TrainingJobOptions.PollInterval"/> when none is waiting or labeling cannot be reached. One job at a time:
/// libtorch's random generator is one per process. With <see cref="TrainingJobOptions.MaxJobs"/> set, the worker stops
/// the host after running that many training jobs to their end (whatever their outcome), so the process exits 0.
/// </summary>
public sealed partial class TrainingJobLoop(
    LabelingClient labeling,
    TrainingJobRunner runner,
    ScoringJobRunner scoring,
    ComputeDevice device,
    IHostApplicationLifetime lifetime,
    IOptions<TrainingJobOptions> options,
    ILogger<TrainingJobLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var worker = settings.ResolvedWorkerName;
        LogStarted(logger, worker, device.Description);
        var jobsRun = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TrainingJobInfo? job;
            try
            {
                job = await labeling.ClaimTrainingJobAsync(
                    new ClaimTrainingJobInput(worker, device.Description, LeaseSeconds: settings.LeaseSeconds), stoppingToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or LabelingApiException or TaskCanceledException
                && !stoppingToken.IsCancellationRequested)
            {
                LogClaimFailed(logger, exception.Message);
                job = null;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (job is null)
            {
                // No training job waits: score a dataset for active learning, if one asks (Scoring/).
                if (await scoring.RunNextAsync(worker, stoppingToken))
                {
                    continue;
                }
                await Task.Delay(settings.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            LogClaimed(logger, job.Id, job.Attempt, job.LastCheckpointDigest ?? "none");
            await runner.RunAsync(job, stoppingToken);
            if (++jobsRun == settings.MaxJobs && !stoppingToken.IsCancellationRequested)
            {
                LogMaxJobsReached(logger, worker, jobsRun);
                lifetime.StopApplication();
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training worker {Worker} started on {Device}")]
    private static partial void LogStarted(ILogger logger, string worker, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed job {JobId} (attempt {Attempt}, last checkpoint {Checkpoint})")]
    private static partial void LogClaimed(ILogger logger, Guid jobId, int attempt, string checkpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training worker {Worker} ran {Jobs} job(s), Training:Jobs:MaxJobs: stopping")]
    private static partial void LogMaxJobsReached(ILogger logger, string worker, int jobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim a training job, trying again later: {Reason}")]
    private static partial void LogClaimFailed(ILogger logger, string reason);
}
