using Marten;

namespace Cl2.Labeling.Cases;

/// <summary><c>random</c>: a uniformly random free case (from a pool of <see cref="CasesOptions.ActiveLearningPoolSize"/>);
/// the baseline the uncertainty strategies are measured against.</summary>
public sealed class RandomStrategy : IActiveLearningStrategy
{
    public string Name => "random";

    public ScoringNeed? Scoring => null;

    public async Task<IReadOnlyList<Case>> CandidatesAsync(IQuerySession session, FreeCases free, int take, CancellationToken cancellationToken)
    {
        var pool = (await free.In(session).OrderBy(@case => @case.Id).Take(free.PoolSize).ToListAsync(cancellationToken)).ToArray();
        Random.Shared.Shuffle(pool);
        return pool[..Math.Min(take, pool.Length)];
    }
}
