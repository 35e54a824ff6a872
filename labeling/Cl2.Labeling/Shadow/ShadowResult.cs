using Cl2.Labeling.Feedback;
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
/// <see cref="OutputDigest"/> names the shadow's output, kept as a blob in the format of a label of its kind, so that a
/// radiologist's later correction of production's result can be compared with it.
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
    DateTimeOffset RecordedAt,
    string? OutputDigest = null);

/// <summary>
/// A radiologist's verdict <see cref="FeedbackId"/> on the production result the shadow ran beside, and how far the
/// shadow agreed with it: against a correction, Dice per label of the shadow's mask and the corrected label (or the same
/// class or not); after an acceptance, its agreement with production (production was right); after a rejection, none
/// (<see cref="Agreement"/> null: a rejection names no right answer). <see cref="Unscored"/> says why a correction could
/// not be compared. Recorded once per shadow result and verdict, and only for a verdict later than the one compared before.
/// </summary>
public sealed record ShadowComparedWithFeedback(
    Guid ShadowResultId,
    Guid FeedbackId,
    FeedbackVerdict Verdict,
    DateTimeOffset GivenAt,
    IReadOnlyList<LabelAgreement> Labels,
    double? Agreement,
    string? Unscored,
    DateTimeOffset ComparedAt);

/// <summary>The latest verdict on production's result that the shadow was compared with.</summary>
public sealed record ShadowFeedback(Guid FeedbackId, FeedbackVerdict Verdict, DateTimeOffset GivenAt, IReadOnlyList<LabelAgreement> Labels,
    double? Agreement, string? Unscored, DateTimeOffset ComparedAt);

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
    DateTimeOffset RecordedAt,
    string? OutputDigest = null,
    ShadowFeedback? Feedback = null)
{
    [Version]
    public long Version { get; set; }

    public static ShadowResult Create(ShadowResultRecorded recorded) => new(recorded.ShadowResultId, recorded.ModelId, recorded.VersionId,
        recorded.ProductionVersionId, recorded.ProductionResultId, recorded.StudyInstanceUid, recorded.Labels, recorded.Agreement, recorded.RecordedBy,
        recorded.RecordedAt, recorded.OutputDigest);

    public static ShadowResult Apply(ShadowComparedWithFeedback compared, ShadowResult result) => result with
    {
        Feedback = new ShadowFeedback(compared.FeedbackId, compared.Verdict, compared.GivenAt, compared.Labels, compared.Agreement, compared.Unscored,
            compared.ComparedAt),
    };
}
