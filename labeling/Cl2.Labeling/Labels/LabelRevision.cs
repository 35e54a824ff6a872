using Marten.Events.Projections;

namespace Cl2.Labeling.Labels;

// Label events live in the case's stream (Cases/Case.cs), so one optimistic check on the case guards its revisions.

public enum LabelKind
{
    Segmentation,
    Classification,
    Detection,
}

public enum ReviewDecision
{
    Approve,
    Reject,
}

/// <summary>A new revision of a case's label; the mask or annotation itself is a blob, named by its digest.</summary>
public sealed record LabelSubmitted(
    Guid CaseId,
    Guid LabelRevisionId,
    int Revision,
    LabelKind Kind,
    string BlobDigest,
    string SubmittedBy,
    DateTimeOffset SubmittedAt);

/// <summary>A submission that lost a race (its base revision was no longer current): kept, so the work is not lost.</summary>
public sealed record LabelSubmissionConflicted(
    Guid CaseId,
    Guid LabelRevisionId,
    int BaseRevision,
    int CurrentRevision,
    LabelKind Kind,
    string BlobDigest,
    string SubmittedBy,
    DateTimeOffset SubmittedAt);

/// <summary>A model's output for a case, shown to the annotator as a starting point; it is not a revision of the label.</summary>
public sealed record LabelPredicted(
    Guid CaseId,
    Guid PredictionId,
    Guid ModelId,
    Guid VersionId,
    LabelKind Kind,
    string BlobDigest,
    string PredictedBy,
    DateTimeOffset PredictedAt);

public sealed record LabelPrediction(Guid Id, Guid ModelId, Guid VersionId, LabelKind Kind, string BlobDigest, string PredictedBy, DateTimeOffset PredictedAt);

public sealed record LabelReviewed(
    Guid CaseId,
    Guid LabelRevisionId,
    int Revision,
    ReviewDecision Decision,
    string? Comment,
    string ReviewedBy,
    DateTimeOffset ReviewedAt);

public enum LabelRevisionStatus
{
    Submitted,
    Approved,
    Rejected,
    /// <summary>Lost a race with another submission; kept for the annotator to compare and resubmit.</summary>
    Conflicted,
}

/// <summary>One revision of a case's label (read model, projected inline from the case streams).</summary>
public sealed record LabelRevision(
    Guid Id,
    Guid CaseId,
    int? Revision,
    int BaseRevision,
    LabelKind Kind,
    string BlobDigest,
    LabelRevisionStatus Status,
    string SubmittedBy,
    DateTimeOffset SubmittedAt,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    string? ReviewComment);

public sealed class LabelRevisionProjection : MultiStreamProjection<LabelRevision, Guid>
{
    public LabelRevisionProjection()
    {
        Identity<LabelSubmitted>(submitted => submitted.LabelRevisionId);
        Identity<LabelSubmissionConflicted>(conflicted => conflicted.LabelRevisionId);
        Identity<LabelReviewed>(reviewed => reviewed.LabelRevisionId);
    }

    public static LabelRevision Create(LabelSubmitted submitted) =>
        new(submitted.LabelRevisionId, submitted.CaseId, submitted.Revision, submitted.Revision - 1, submitted.Kind, submitted.BlobDigest,
            LabelRevisionStatus.Submitted, submitted.SubmittedBy, submitted.SubmittedAt, null, null, null);

    public static LabelRevision Create(LabelSubmissionConflicted conflicted) =>
        new(conflicted.LabelRevisionId, conflicted.CaseId, null, conflicted.BaseRevision, conflicted.Kind, conflicted.BlobDigest,
            LabelRevisionStatus.Conflicted, conflicted.SubmittedBy, conflicted.SubmittedAt, null, null, null);

    public static LabelRevision Apply(LabelReviewed reviewed, LabelRevision revision) => revision with
    {
        Status = reviewed.Decision == ReviewDecision.Approve ? LabelRevisionStatus.Approved : LabelRevisionStatus.Rejected,
        ReviewedBy = reviewed.ReviewedBy,
        ReviewedAt = reviewed.ReviewedAt,
        ReviewComment = reviewed.Comment,
    };
}
