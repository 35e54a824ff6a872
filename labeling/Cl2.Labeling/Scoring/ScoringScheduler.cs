using Cl2.Labeling.Cases;
using Cl2.Labeling.Datasets;
using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Scoring;

/// <summary>Each <see cref="ScoringOptions.CheckIntervalSeconds"/>, requests a scoring job for every dataset whose scores
/// are stale: its model's production version changed (a promotion, the gate, a rollback) since they were computed.</summary>
public sealed partial class ScoringScheduler(
    IDocumentStore store,
    ActiveLearningStrategies strategies,
    TimeProvider clock,
    IOptions<ScoringOptions> options,
    ILogger<ScoringScheduler> logger) : BackgroundService
{
    public const string By = "scoring-refresh";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckIntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                IReadOnlyList<Guid> datasets;
                await using (var session = store.QuerySession())
                {
                    datasets = await session.Query<Dataset>().Where(dataset => dataset.ActiveLearning != null && dataset.ActiveLearning.ModelId != null)
                        .Select(dataset => dataset.Id).ToListAsync(stoppingToken);
                }
                foreach (var datasetId in datasets)
                {
                    if (await ScoringRefresh.RequestIfStaleAsync(store, strategies, datasetId, "production version changed", By, clock.GetUtcNow(), stoppingToken)
                        is { } jobId)
                    {
                        Requested(logger, jobId, datasetId);
                    }
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                CheckFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Requested scoring job {JobId} for dataset {DatasetId}")]
    private static partial void Requested(ILogger logger, Guid jobId, Guid datasetId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the datasets' active-learning scores failed; they are checked again on the next tick")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
