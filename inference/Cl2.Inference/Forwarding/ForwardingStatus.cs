using Cl2.Inference.Api;

namespace Cl2.Inference.Forwarding;

/// <summary>One pending study as the operator sees it. <c>State</c>: quiet-period (instances may still come), due (goes
/// at the next poll), retrying (labeling failed; every study waits), refused (labeling said no to this study; it is tried
/// again at <c>NextAttemptAt</c>), stuck (refused <see cref="ForwardingOptions.MaxStudyAttempts"/> times; no longer tried).
/// <c>Attempts</c>: labeling's refusals of it in a row.</summary>
public sealed record StudyForwardingState(
    string StudyInstanceUid,
    string CallingAeTitle,
    int Instances,
    int InstancesToStore,
    int RecordedInstanceCount,
    DateTimeOffset PendingSince,
    string State,
    int Attempts,
    string? LastError,
    DateTimeOffset? NextAttemptAt)
{
    public const string Stuck = "stuck";
}

/// <summary>The forwarding backlog (GET /api/inference/forwarding).</summary>
public sealed record ForwardingStatus(
    bool Enabled,
    DateTimeOffset At,
    IReadOnlyList<PendingStudy> Backlog,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastForwardedAt,
    long ForwardedStudies,
    IReadOnlyList<StudyForwardingState> Studies)
{
    public int PendingInstances => Backlog.Sum(study => study.ToStore.Count);

    public DateTimeOffset? OldestPendingSince => Backlog.Count == 0 ? null : Backlog.Min(study => study.PendingSince);

    public IReadOnlyList<StudyForwardingState> StuckStudies => Studies.Where(study => study.State == StudyForwardingState.Stuck).ToList();

    /// <summary>The answer of the status endpoint: counts first, then one page of the studies, oldest first.</summary>
    public object ToResponse(Uri labelingUrl, Page page, string path) => new
    {
        Enabled,
        LabelingUrl = labelingUrl,
        PendingStudies = Backlog.Count,
        PendingInstances,
        StuckStudies = StuckStudies.Count,
        OldestPendingSince,
        LastError,
        LastErrorAt,
        NextAttemptAt,
        LastForwardedAt,
        ForwardedStudiesSinceStart = ForwardedStudies,
        Studies = page.Answer(page.Slice(Studies), Studies.Count, path),
    };
}
