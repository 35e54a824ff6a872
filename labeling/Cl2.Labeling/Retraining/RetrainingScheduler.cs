using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Retraining;

/// <summary>Checks every policy that is on, each <see cref="RetrainingOptions.CheckIntervalSeconds"/>. Several replicas may
/// run it at once: the policy stream's version lets one of them request a job per trigger.</summary>
public sealed partial class RetrainingScheduler(
    IDocumentStore store,
    IServiceProvider services,
    TimeProvider clock,
    IOptions<RetrainingOptions> options,
    ILogger<RetrainingScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckIntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAllAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                CheckFailed(logger, exception);
            }
        }
    }

    private async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> models;
        await using (var session = store.QuerySession())
        {
            models = await session.Query<RetrainingPolicy>()
                .Where(policy => policy.NewLabelThreshold != null || policy.ScheduleMinutes != null)
                .Select(policy => policy.ModelId).ToListAsync(cancellationToken);
        }
        var archive = RetrainingTrigger.ArchiveOf(services);
        foreach (var modelId in models)
        {
            if (await RetrainingTrigger.CheckAsync(store, archive, modelId, clock.GetUtcNow(), cancellationToken) is { } jobId)
            {
                Requested(logger, jobId, modelId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining policy requested training job {JobId} for model {ModelId}")]
    private static partial void Requested(ILogger logger, Guid jobId, Guid modelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the retraining policies failed; they are checked again on the next tick")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
