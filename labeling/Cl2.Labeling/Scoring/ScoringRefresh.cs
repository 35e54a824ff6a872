using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Models;
using Marten;
using Marten.Exceptions;

namespace Cl2.Labeling.Scoring;

/// <summary>
/// Keeps a dataset's scores from its model's production version: when the dataset's strategy needs scores and no
/// scoring job exists yet for (dataset, production version, method, clusters), one is requested. The job's id is named
/// after those four, so replicas and concurrent callers that find the scores stale at once request one job.
/// </summary>
public static class ScoringRefresh
{
    /// <returns>The job to request, or null when the scores are fresh, the strategy needs none, or no version is in production.</returns>
    public static ScoringRequested? Decide(Dataset dataset, IActiveLearningStrategy? strategy, Model? model, string trigger, string by, DateTimeOffset now)
    {
        if (strategy?.Scoring is not { } need || model?.ProductionVersionId is not { } versionId)
        {
            return null;
        }
        return new ScoringRequested(JobId(dataset.Id, versionId, need), dataset.Id, model.Id, versionId, need.Method, need.Clusters, trigger, by, now);
    }

    public static Guid JobId(Guid datasetId, Guid versionId, ScoringNeed need) =>
        NameBasedId.Of(FormattableString.Invariant($"scoring {versionId:D} {need.Method} {need.Clusters}"), datasetId);

    /// <returns>The id of the job requested now, or null when none was needed (or another caller requested it first).</returns>
    public static async Task<Guid?> RequestIfStaleAsync(IDocumentStore store, ActiveLearningStrategies strategies, Guid datasetId, string trigger,
        string by, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ScoringRequested? requested;
        await using (var session = store.QuerySession())
        {
            var dataset = await session.LoadAsync<Dataset>(datasetId, cancellationToken);
            if (dataset?.ActiveLearning is not { ModelId: { } modelId } chosen)
            {
                return null;
            }
            var model = await session.LoadAsync<Model>(modelId, cancellationToken);
            requested = Decide(dataset, strategies.Find(chosen.Strategy), model, trigger, by, now);
            if (requested is null || await session.LoadAsync<ScoringJob>(requested.JobId, cancellationToken) is not null)
            {
                return null;
            }
        }
        try
        {
            await StreamDecision.StartAsync<ScoringJob>(store, requested.JobId, requested, cancellationToken);
            return requested.JobId;
        }
        catch (ExistingStreamIdCollisionException)
        {
            return null;
        }
    }
}
