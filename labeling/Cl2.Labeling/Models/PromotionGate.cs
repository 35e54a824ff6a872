namespace Cl2.Labeling.Models;

// The evaluation gate of a model's promotions. The training worker evaluates each candidate, and the production version
// beside it on the same cases, on the dataset's fixed test split and on recent corrected feedback; the gate compares the
// two on each set. These events live in the model's stream, so a gate decision and the promotion it allows are checked
// against the same stream version, and "production at time T" replays them like every other change of stage.

/// <summary>An ML engineer turned the gate on for a model, or changed its margin or auto-promotion.</summary>
/// <param name="Margin">How far below production a candidate's metric may fall on a set and still pass (0 = no regression at all).</param>
/// <param name="AutoPromote">A candidate that passes is promoted by the gate at once; otherwise an ML engineer promotes it.</param>
public sealed record PromotionGateSet(Guid ModelId, double Margin, bool AutoPromote, string SetBy, DateTimeOffset SetAt);

/// <summary>The cases a candidate is evaluated on.</summary>
public enum EvaluationSplit
{
    /// <summary>The dataset's fixed test split.</summary>
    Test,
    /// <summary>Recent cases a radiologist corrected, with the corrections as ground truth.</summary>
    Feedback,
}

/// <summary>One set's result: the candidate's metric (higher is better) and production's on the same cases.</summary>
/// <param name="Production">Null when no version was in production to compare with.</param>
public sealed record EvaluationSet(EvaluationSplit Split, string Metric, int CaseCount, double Candidate, double? Production);

public sealed record ModelVersionEvaluated(
    Guid ModelId,
    Guid VersionId,
    Guid? ProductionVersionId,
    IReadOnlyList<EvaluationSet> Sets,
    IReadOnlyList<Guid> FeedbackIds,
    string? GateFailure,
    string EvaluatedBy,
    DateTimeOffset EvaluatedAt);

/// <summary>The gate refused a candidate; it can never be promoted, and production stays as it was.</summary>
public sealed record ModelVersionRejected(Guid ModelId, Guid VersionId, string Reason, string RejectedBy, DateTimeOffset RejectedAt);

/// <summary>The gate's settings on a model (the last <see cref="PromotionGateSet"/>).</summary>
public sealed record PromotionGate(double Margin, bool AutoPromote, string SetBy, DateTimeOffset SetAt)
{
    public const double MaxMargin = 1.0;

    /// <summary>Why the candidate fails the gate, or null when it passes: on every set that has cases and a production
    /// figure to compare with, the candidate is at most <see cref="Margin"/> below production. The test split is required.</summary>
    public string? Judge(IReadOnlyList<EvaluationSet> sets)
    {
        if (!sets.Any(set => set.Split == EvaluationSplit.Test && set.CaseCount > 0))
        {
            return "The candidate was not evaluated on the dataset's test split (fix the split with fixDatasetSplit and evaluate again).";
        }
        var failures = sets
            .Where(set => set.CaseCount > 0 && set.Production is { } production && set.Candidate < production - Margin)
            .Select(set => $"{set.Metric} on the {set.Split.ToString().ToLowerInvariant()} set ({set.CaseCount} cases) is " +
                $"{set.Candidate:0.####}, below production's {set.Production:0.####} by more than the margin {Margin:0.####}")
            .ToList();
        return failures.Count == 0 ? null : string.Join("; ", failures) + ".";
    }
}
