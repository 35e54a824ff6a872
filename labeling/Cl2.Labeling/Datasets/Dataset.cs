using Marten.Schema;

namespace Cl2.Labeling.Datasets;

// The dataset stream: a named collection of cases. Cases are streams of their own (Cases/Case.cs), so that labelling
// one case never contends with labelling another.

public sealed record DatasetCreated(Guid DatasetId, string Name, string Description, bool Research, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>The dataset aggregate, stored as an inline snapshot.</summary>
/// <summary>
/// The dataset's cases divided once and for all into train, validation and test, so that every model trained on the
/// dataset is evaluated on the same held-out cases.
/// </summary>
public sealed record DatasetSplitFixed(
    Guid DatasetId,
    int Seed,
    IReadOnlyList<Guid> TrainCaseIds,
    IReadOnlyList<Guid> ValidationCaseIds,
    IReadOnlyList<Guid> TestCaseIds,
    string FixedBy,
    DateTimeOffset FixedAt);

/// <summary>The dataset's active-learning strategy (Cases/IActiveLearningStrategy.cs) and the model whose production
/// version scores its cases, when the strategy needs scores.</summary>
public sealed record ActiveLearningStrategySet(Guid DatasetId, string Strategy, Guid? ModelId, string SetBy, DateTimeOffset SetAt);

/// <summary>The kind of label a dataset's cases get, its labels' names and the series a label is drawn over
/// (<see cref="DefineDatasetLabels"/>).</summary>
/// <param name="Channels">The input channels in order (null or empty: one series, the one shown); last so that events
/// stored before channels existed read as one-series definitions.</param>
public sealed record DatasetLabelsDefined(Guid DatasetId, Labels.LabelKind Kind, IReadOnlyList<DatasetLabel> Labels, string DefinedBy, DateTimeOffset DefinedAt,
    IReadOnlyList<string>? Channels = null);

public sealed record Dataset(
    Guid Id,
    string Name,
    string Description,
    bool Research,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DatasetSplitFixed? Split = null,
    ActiveLearningStrategySet? ActiveLearning = null,
    DatasetLabelsDefined? Labels = null)
{
    [Version]
    public long Version { get; set; }

    public static Dataset Create(DatasetCreated created) =>
        new(created.DatasetId, created.Name, created.Description, created.Research, created.CreatedBy, created.CreatedAt);

    public static Dataset Apply(DatasetSplitFixed fixedSplit, Dataset dataset) => dataset with { Split = fixedSplit };

    public static Dataset Apply(ActiveLearningStrategySet set, Dataset dataset) => dataset with { ActiveLearning = set };

    public static Dataset Apply(DatasetLabelsDefined defined, Dataset dataset) => dataset with { Labels = defined };
}
