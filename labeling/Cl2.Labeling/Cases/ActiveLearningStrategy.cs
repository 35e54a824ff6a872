using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>What a strategy needs the training worker to compute with the production model before it can rank cases.</summary>
/// <param name="Method">The worker's scoring method (<c>entropy</c>, <c>mc-dropout</c>).</param>
/// <param name="Clusters">How many k-means clusters of image embeddings to put the pool in; 0: none.</param>
public sealed record ScoringNeed(string Method, int Clusters);

/// <summary>
/// An active-learning strategy: a named plug-in that orders a dataset's free, unlabelled cases for nextCase (MONAI
/// Label's strategies are the model). Cases a radiologist rejected come before any strategy's order (nextCase puts them
/// first); a case the strategy needs a score for and that has none yet comes after the scored ones, oldest first.
/// </summary>
public interface IActiveLearningStrategy
{
    /// <summary>The name a dataset chooses it by (setActiveLearningStrategy).</summary>
    string Name { get; }

    /// <summary>The scores it ranks by; null when it needs none.</summary>
    ScoringNeed? Scoring { get; }

    /// <summary>Up to <paramref name="take"/> cases of <paramref name="free"/>, best first.</summary>
    Task<IReadOnlyList<Case>> CandidatesAsync(IQuerySession session, FreeCases free, int take, CancellationToken cancellationToken);
}

/// <summary>The strategies labeling knows, by name.</summary>
public sealed class ActiveLearningStrategies(IEnumerable<IActiveLearningStrategy> strategies)
{
    private readonly Dictionary<string, IActiveLearningStrategy> _byName = strategies.ToDictionary(strategy => strategy.Name, StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    public IActiveLearningStrategy? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The strategy of a dataset that chose none: oldest first.</summary>
    public IActiveLearningStrategy Default => _byName[FirstStrategy.StrategyName];

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<IActiveLearningStrategy, FirstStrategy>();
        services.AddSingleton<IActiveLearningStrategy, RandomStrategy>();
        services.AddSingleton<IActiveLearningStrategy>(new UncertaintyStrategy(UncertaintyStrategy.Entropy));
        services.AddSingleton<IActiveLearningStrategy>(new UncertaintyStrategy(UncertaintyStrategy.McDropout));
        services.AddSingleton<IActiveLearningStrategy, DiverseEntropyStrategy>();
        services.AddSingleton<ActiveLearningStrategies>();
    }
}

/// <summary>A dataset's cases nextCase may hand out now: unlabelled, and held by nobody (or their hold ran out).</summary>
public sealed record FreeCases(Guid DatasetId, DateTimeOffset Now, int PoolSize)
{
    public IQueryable<Case> In(IQuerySession session)
    {
        var (datasetId, now) = (DatasetId, Now);
        return session.Query<Case>().Where(@case => @case.DatasetId == datasetId && @case.LabelStatus == LabelStatus.Unlabelled
            && (@case.AssignedTo == null || @case.AssignmentExpiresAt <= now));
    }

    /// <summary>Free cases scored by <paramref name="method"/>, highest score first.</summary>
    public async Task<IReadOnlyList<Case>> ScoredAsync(IQuerySession session, string method, int take, CancellationToken cancellationToken) =>
        await In(session).Where(@case => @case.Score != null && @case.Score.Method == method)
            .OrderByDescending(@case => @case.Score!.Value).ThenBy(@case => @case.Id).Take(take).ToListAsync(cancellationToken);

    /// <summary>Free cases without a score by <paramref name="method"/> (added after the last scoring), oldest first.</summary>
    public async Task<IReadOnlyList<Case>> UnscoredAsync(IQuerySession session, string method, int take, CancellationToken cancellationToken) =>
        take <= 0
            ? []
            : await In(session).Where(@case => @case.Score == null || @case.Score.Method != method)
                .OrderBy(@case => @case.AddedAt).ThenBy(@case => @case.Id).Take(take).ToListAsync(cancellationToken);
}
