using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Scoring;

/// <summary>Active-learning scoring jobs (section <c>Scoring</c>).</summary>
public sealed class ScoringOptions
{
    public const string Section = "Scoring";

    /// <summary>How often labeling checks whether a dataset's scores are stale (its model's production version changed)
    /// and requests a scoring job for it.</summary>
    [Range(1, 24 * 3600)]
    public int CheckIntervalSeconds { get; set; } = 30;

    /// <summary>The most scores one completeScoringJob call records (one per unlabelled case of the dataset).</summary>
    [Range(1, 1_000_000)]
    public int MaxScoresPerJob { get; set; } = 50_000;
}
