using Marten.Schema;

namespace Cl2.Labeling.Shadow;

// What a shadow version made of the studies production ran on. Each is a stream of its own, named by the production
// result it ran beside, so studies recorded at the same moment never contend and a retry of the same one meets the stream
// it made. Nothing here is an inference result: it has no deliveries and no radiologist sees it.

/// <summary>How far the shadow agreed with production on one label: Dice for a segment (1 when neither marked a voxel),
/// 1 or 0 for a classification finding (the same decision or not).</summary>
public sealed record LabelAgreement(string Label, double Agreement);

/// <summary>
/// Inference ran the model's shadow version on the study production's result <see cref="ProductionResultId"/> came from,
/// delivered nothing, and compared the two: <see cref="Agreement"/> is the mean over <see cref="Labels"/>.
/// </summary>
public sealed record ShadowResultRecorded(
    Guid ShadowResultId,
    Guid ModelId,
    Guid VersionId,
    Guid ProductionVersionId,
    Guid ProductionResultId,
    string StudyInstanceUid,
    IReadOnlyList<LabelAgreement> Labels,
    double Agreement,
    string RecordedBy,
    DateTimeOffset RecordedAt);

public sealed record ShadowResult(
    Guid Id,
    Guid ModelId,
    Guid VersionId,
    Guid ProductionVersionId,
    Guid ProductionResultId,
    string StudyInstanceUid,
    IReadOnlyList<LabelAgreement> Labels,
    double Agreement,
    string RecordedBy,
    DateTimeOffset RecordedAt)
{
    [Version]
    public long Version { get; set; }

    public static ShadowResult Create(ShadowResultRecorded recorded) => new(recorded.ShadowResultId, recorded.ModelId, recorded.VersionId,
        recorded.ProductionVersionId, recorded.ProductionResultId, recorded.StudyInstanceUid, recorded.Labels, recorded.Agreement, recorded.RecordedBy,
        recorded.RecordedAt);
}
