using GraphQL.Types;

namespace Cl2.Labeling.Cases;

/// <summary>
/// A scoring job (Scoring/) scored the case with a model version: how useful labelling it would be by the job's method
/// (higher: label it sooner) and, when the job clustered the pool, the cluster of its image embedding.
/// </summary>
public sealed record CaseScored(
    Guid CaseId,
    Guid DatasetId,
    Guid ScoringJobId,
    Guid VersionId,
    string Method,
    double Value,
    int? Cluster,
    string ScoredBy,
    DateTimeOffset ScoredAt);

/// <summary>The case's latest score, as the case read model keeps it for nextCase to sort by.</summary>
public sealed record CaseScore(string Method, double Value, int? Cluster, Guid VersionId, Guid ScoringJobId, DateTimeOffset ScoredAt)
{
    public static CaseScore Of(CaseScored scored) =>
        new(scored.Method, scored.Value, scored.Cluster, scored.VersionId, scored.ScoringJobId, scored.ScoredAt);
}

public sealed class CaseScoreGraphType : ObjectGraphType<CaseScore>
{
    public CaseScoreGraphType()
    {
        Name = "CaseScore";
        Description = "How useful labelling the case would be, by an active-learning scoring method and the model version that scored it.";
        Field(score => score.Method);
        Field(score => score.Value).Description("Higher: nextCase hands the case out sooner.");
        Field(score => score.Cluster, nullable: true).Description("The k-means cluster of the case's image embedding, when the job clustered the pool.");
        Field(score => score.VersionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(score => score.ScoringJobId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(score => score.ScoredAt);
    }
}
