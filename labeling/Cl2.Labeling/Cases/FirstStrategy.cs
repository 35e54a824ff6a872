using Marten;

namespace Cl2.Labeling.Cases;

/// <summary><c>first</c>: the oldest case first (the order cases were added in).</summary>
public sealed class FirstStrategy : IActiveLearningStrategy
{
    public const string StrategyName = "first";

    public string Name => StrategyName;

    public ScoringNeed? Scoring => null;

    public async Task<IReadOnlyList<Case>> CandidatesAsync(IQuerySession session, FreeCases free, int take, CancellationToken cancellationToken) =>
        await free.In(session).OrderBy(@case => @case.AddedAt).ThenBy(@case => @case.Id).Take(take).ToListAsync(cancellationToken);
}
