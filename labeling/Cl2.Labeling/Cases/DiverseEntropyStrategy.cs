using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>
/// <c>diverse-entropy</c>: uncertainty within k-means clusters of the cases' image embeddings. The worker scores each
/// case by entropy and clusters the pool; nextCase takes the most uncertain case of the cluster that has the fewest
/// cases labelled or held so far, so a batch of annotators does not all label near-copies of one hard look.
/// </summary>
public sealed class DiverseEntropyStrategy(Microsoft.Extensions.Options.IOptions<CasesOptions> options) : IActiveLearningStrategy
{
    public string Name => "diverse-entropy";

    public ScoringNeed? Scoring { get; } = new(UncertaintyStrategy.Entropy, options.Value.ActiveLearningClusters);

    public async Task<IReadOnlyList<Case>> CandidatesAsync(IQuerySession session, FreeCases free, int take, CancellationToken cancellationToken)
    {
        var method = Scoring!.Method;
        var pool = await free.ScoredAsync(session, method, free.PoolSize, cancellationToken);
        var (datasetId, now) = (free.DatasetId, free.Now);
        var worked = await session.Query<Case>()
            .Where(@case => @case.DatasetId == datasetId && @case.Score != null && @case.Score.Method == method && @case.Score.Cluster != null
                && (@case.LabelStatus != LabelStatus.Unlabelled
                    || (@case.AssignedTo != null && (@case.AssignmentExpiresAt == null || @case.AssignmentExpiresAt > now))))
            .Select(@case => @case.Score!.Cluster!.Value).ToListAsync(cancellationToken);
        var ordered = Interleave(pool, worked);
        var best = ordered.Take(take).ToList();
        return [.. best, .. await free.UnscoredAsync(session, method, take - best.Count, cancellationToken)];
    }

    /// <summary>
    /// The pool in the order to hand it out: each next case is the most uncertain one left in the cluster with the
    /// fewest cases worked on (labelled, held, or placed earlier in this order); ties go to the higher score.
    /// </summary>
    public static IReadOnlyList<Case> Interleave(IReadOnlyList<Case> pool, IReadOnlyList<int> workedClusters)
    {
        var counts = workedClusters.GroupBy(cluster => cluster).ToDictionary(group => group.Key, group => group.Count());
        var queues = pool.GroupBy(@case => @case.Score?.Cluster ?? -1)
            .ToDictionary(group => group.Key, group => new Queue<Case>(group.OrderByDescending(@case => @case.Score?.Value).ThenBy(@case => @case.Id)));
        var order = new List<Case>(pool.Count);
        while (queues.Count > 0)
        {
            var (cluster, queue) = queues.OrderBy(entry => counts.GetValueOrDefault(entry.Key))
                .ThenByDescending(entry => entry.Value.Peek().Score?.Value).ThenBy(entry => entry.Key).First();
            order.Add(queue.Dequeue());
            counts[cluster] = counts.GetValueOrDefault(cluster) + 1;
            if (queue.Count == 0)
            {
                queues.Remove(cluster);
            }
        }
        return order;
    }
}
