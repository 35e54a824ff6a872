using Cl2.Labeling.Feedback;
using Cl2.Labeling.Labels;
using Marten.Schema;

namespace Cl2.Labeling.Cases;

// The case stream: one study in one dataset, who works on it, and its label revisions (events in Labels/).

public sealed record CaseAdded(Guid CaseId, Guid DatasetId, string StudyInstanceUid, string AddedBy, DateTimeOffset AddedAt);

/// <param name="ExpiresAt">When nextCase may hand the case to someone else (set by nextCase; assignCase's never expire).</param>
public sealed record CaseAssigned(Guid CaseId, Guid DatasetId, string Assignee, string AssignedBy, DateTimeOffset AssignedAt, DateTimeOffset? ExpiresAt = null);

/// <summary>The holder gave the case back (releaseCase); it is free for nextCase again.</summary>
public sealed record CaseReleased(Guid CaseId, Guid DatasetId, string ReleasedFrom, string ReleasedBy, DateTimeOffset ReleasedAt);

/// <summary>The case left its dataset (a study added by mistake); its events stay, its snapshot is deleted.</summary>
public sealed record CaseRemoved(Guid CaseId, Guid DatasetId, string StudyInstanceUid, string RemovedBy, DateTimeOffset RemovedAt);

public enum LabelStatus
{
    Unlabelled,
    Submitted,
    Approved,
    Rejected,
}

/// <summary>The case aggregate, stored as an inline snapshot; it is also the read model that case listings filter and sort.</summary>
public sealed record Case(
    Guid Id,
    Guid DatasetId,
    string StudyInstanceUid,
    string AddedBy,
    DateTimeOffset AddedAt,
    string? AssignedTo,
    LabelStatus LabelStatus,
    int CurrentRevision,
    Guid? CurrentRevisionId,
    DateTimeOffset? LabelledAt,
    LabelPrediction? LatestPrediction = null,
    CaseFeedback? Feedback = null,
    int Priority = 0,
    DateTimeOffset? AssignmentExpiresAt = null,
    CaseScore? Score = null)
{
    [Version]
    public long Version { get; set; }

    public static Case Create(CaseAdded added) =>
        new(added.CaseId, added.DatasetId, added.StudyInstanceUid, added.AddedBy, added.AddedAt, null, LabelStatus.Unlabelled, 0, null, null);

    public static Case Apply(CaseAssigned assigned, Case current) => current with { AssignedTo = assigned.Assignee, AssignmentExpiresAt = assigned.ExpiresAt };

    public static Case Apply(CaseReleased released, Case current) => current with { AssignedTo = null, AssignmentExpiresAt = null };

    public static Case Apply(CaseScored scored, Case current) => current with { Score = CaseScore.Of(scored) };

    /// <summary>Nobody holds the case, or nextCase's hold on it ran out.</summary>
    public bool IsFreeAt(DateTimeOffset now) => AssignedTo is null || AssignmentExpiresAt <= now;

    /// <summary>A removed case is no longer listed, counted or handed out, and its study can be added again.</summary>
    public static bool ShouldDelete(CaseRemoved removed) => true;

    public static Case Apply(LabelSubmitted submitted, Case current) => current with
    {
        LabelStatus = LabelStatus.Submitted,
        CurrentRevision = submitted.Revision,
        CurrentRevisionId = submitted.LabelRevisionId,
        LabelledAt = submitted.SubmittedAt,
    };

    public static Case Apply(LabelPredicted predicted, Case current) => current with
    {
        LatestPrediction = new LabelPrediction(predicted.PredictionId, predicted.ModelId, predicted.VersionId, predicted.Kind,
            predicted.BlobDigest, predicted.PredictedBy, predicted.PredictedAt),
    };

    /// <summary>A radiologist's verdict (Feedback/FeedbackCase.cs): corrected or accepted, the case is labelled; rejected
    /// without a correction, it is unlabelled and first in the queue (<see cref="FeedbackPriority"/>).</summary>
    public static Case Apply(CaseFeedbackReceived received, Case current) => received.Verdict switch
    {
        FeedbackVerdict.Reject => current with
        {
            Feedback = FeedbackOf(received),
            LabelStatus = LabelStatus.Unlabelled,
            Priority = FeedbackPriority,
        },
        _ => current with
        {
            Feedback = FeedbackOf(received),
            LabelStatus = LabelStatus.Approved,
            CurrentRevisionId = received.CorrectedLabelRevisionId,
            LabelledAt = received.GivenAt,
            Priority = 0,
        },
    };

    /// <summary>The priority of a case whose result a radiologist rejected: annotators get it before any other.</summary>
    public const int FeedbackPriority = 1;

    private static CaseFeedback FeedbackOf(CaseFeedbackReceived received) =>
        new(received.FeedbackId, received.Verdict, received.InferenceResultId, received.CorrectedLabelRevisionId, received.GivenAt);

    public static Case Apply(LabelReviewed reviewed, Case current) => reviewed.LabelRevisionId != current.CurrentRevisionId
        ? current
        : current with { LabelStatus = reviewed.Decision == ReviewDecision.Approve ? LabelStatus.Approved : LabelStatus.Rejected };
}
