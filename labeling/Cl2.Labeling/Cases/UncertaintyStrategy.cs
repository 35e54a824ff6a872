using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>
/// <c>entropy</c> and <c>mc-dropout</c>: the case the production model is least sure of first. The worker scores each
/// case with the production version (Scoring/): <c>entropy</c> is the mean entropy of the model's softmax,
/// <c>mc-dropout</c> the variance of N stochastic forward passes with dropout on (epistemic uncertainty).
/// </summary>
public sealed class UncertaintyStrategy(string method) : IActiveLearningStrategy
{
    public const string Entropy = "entropy";

    public const string McDropout = "mc-dropout";

    public string Name { get; } = method;

    public ScoringNeed? Scoring { get; } = new(method, 0);

    public async Task<IReadOnlyList<Case>> CandidatesAsync(IQuerySession session, FreeCases free, int take, CancellationToken cancellationToken)
    {
        var scored = await free.ScoredAsync(session, Name, take, cancellationToken);
        return [.. scored, .. await free.UnscoredAsync(session, Name, take - scored.Count, cancellationToken)];
    }
}
