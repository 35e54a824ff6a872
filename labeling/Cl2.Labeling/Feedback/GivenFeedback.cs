using Marten.Schema;

namespace Cl2.Labeling.Feedback;

// Radiologists' verdicts on inference results. Each verdict is a stream of its own (one event), so verdicts on the
// same result never contend; the document is indexed by model version for "feedback on V" and "what V got wrong".

public enum FeedbackVerdict
{
    Accept,
    Reject,
    /// <summary>The radiologist corrected the result; the correction is a new label revision.</summary>
    Correct,
}

public sealed record FeedbackGiven(
    Guid FeedbackId,
    Guid InferenceResultId,
    string StudyInstanceUid,
    Guid ModelId,
    Guid VersionId,
    FeedbackVerdict Verdict,
    string? Comment,
    Guid? CorrectedLabelRevisionId,
    string Radiologist,
    DateTimeOffset GivenAt);

/// <summary>One radiologist's verdict on one inference result (inline snapshot).</summary>
public sealed record GivenFeedback(
    Guid Id,
    Guid InferenceResultId,
    string StudyInstanceUid,
    Guid ModelId,
    Guid VersionId,
    FeedbackVerdict Verdict,
    string? Comment,
    Guid? CorrectedLabelRevisionId,
    string Radiologist,
    DateTimeOffset GivenAt)
{
    [Version]
    public long Version { get; set; }

    public static GivenFeedback Create(FeedbackGiven given) =>
        new(given.FeedbackId, given.InferenceResultId, given.StudyInstanceUid, given.ModelId, given.VersionId, given.Verdict, given.Comment,
            given.CorrectedLabelRevisionId, given.Radiologist, given.GivenAt);
}
