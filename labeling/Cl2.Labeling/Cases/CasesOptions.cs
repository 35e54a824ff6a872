using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Cases;

/// <summary>How cases are handed out (section <c>Cases</c>).</summary>
public sealed class CasesOptions
{
    public const string Section = "Cases";

    /// <summary>How long a case nextCase hands out stays its annotator's: after this, nextCase gives it to the next one
    /// who asks (an annotator who went home does not hold it forever). releaseCase gives it back earlier.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int AssignmentSeconds { get; set; } = 4 * 3600;

    /// <summary>How many free cases the random and diverse-entropy strategies choose from per nextCase (read from the
    /// database, ranked in memory); the entropy and mc-dropout strategies sort in the database and need no pool.</summary>
    [Range(1, 100_000)]
    public int ActiveLearningPoolSize { get; set; } = 2000;

    /// <summary>How many k-means clusters of image embeddings the diverse-entropy strategy asks the worker for.</summary>
    [Range(2, 256)]
    public int ActiveLearningClusters { get; set; } = 8;
}
