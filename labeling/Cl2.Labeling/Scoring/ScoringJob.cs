using Marten.Schema;

namespace Cl2.Labeling.Scoring;

// The scoring job stream: the training worker scores a dataset's unlabelled cases with a model's production version, for
// an active-learning strategy (Cases/IActiveLearningStrategy.cs). Claimed like a training job: exactly one worker holds it,
// under a lease; a job whose lease ran out can be claimed again. Its id is named after the dataset, version, method and
// cluster count (ScoringRefresh), so one production version scores a dataset once however many replicas ask.

public sealed record ScoringRequested(
    Guid JobId,
    Guid DatasetId,
    Guid ModelId,
    Guid VersionId,
    string Method,
    int Clusters,
    string Trigger,
    string RequestedBy,
    DateTimeOffset RequestedAt);

public sealed record ScoringClaimed(Guid JobId, int Attempt, string Worker, DateTimeOffset LeaseExpiresAt, string ClaimedBy, DateTimeOffset ClaimedAt);

/// <summary>The holder extended its lease while scoring (a heartbeat between cases).</summary>
public sealed record ScoringLeaseRenewed(Guid JobId, int Attempt, DateTimeOffset LeaseExpiresAt, string RenewedBy, DateTimeOffset RenewedAt);

/// <summary>The job's scores were recorded (CaseScored on each case, in the same commit).</summary>
public sealed record ScoringSucceeded(Guid JobId, int Attempt, int CaseCount, string CompletedBy, DateTimeOffset CompletedAt);

public sealed record ScoringFailed(Guid JobId, int Attempt, string Reason, string CompletedBy, DateTimeOffset CompletedAt);

public enum ScoringStatus
{
    Requested,
    Running,
    Succeeded,
    Failed,
}

/// <summary>The scoring job aggregate, stored as an inline snapshot.</summary>
public sealed record ScoringJob(
    Guid Id,
    Guid DatasetId,
    Guid ModelId,
    Guid VersionId,
    string Method,
    int Clusters,
    string Trigger,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    ScoringStatus Status,
    int Attempt,
    string? Worker,
    DateTimeOffset? LeaseExpiresAt,
    int? CaseCount,
    string? FailureReason,
    DateTimeOffset? FinishedAt)
{
    [Version]
    public long Version { get; set; }

    /// <summary>A worker may claim it: nobody has, or the last claimer's lease ran out before it finished.</summary>
    public bool IsClaimable(DateTimeOffset now) => Status == ScoringStatus.Requested || (Status == ScoringStatus.Running && LeaseExpiresAt <= now);

    public static ScoringJob Create(ScoringRequested requested) =>
        new(requested.JobId, requested.DatasetId, requested.ModelId, requested.VersionId, requested.Method, requested.Clusters, requested.Trigger,
            requested.RequestedBy, requested.RequestedAt, ScoringStatus.Requested, 0, null, null, null, null, null);

    public static ScoringJob Apply(ScoringClaimed claimed, ScoringJob job) => job with
    {
        Status = ScoringStatus.Running,
        Attempt = claimed.Attempt,
        Worker = claimed.Worker,
        LeaseExpiresAt = claimed.LeaseExpiresAt,
    };

    public static ScoringJob Apply(ScoringLeaseRenewed renewed, ScoringJob job) => job with { LeaseExpiresAt = renewed.LeaseExpiresAt };

    public static ScoringJob Apply(ScoringSucceeded succeeded, ScoringJob job) => job with
    {
        Status = ScoringStatus.Succeeded,
        CaseCount = succeeded.CaseCount,
        FinishedAt = succeeded.CompletedAt,
        LeaseExpiresAt = null,
    };

    public static ScoringJob Apply(ScoringFailed failed, ScoringJob job) => job with
    {
        Status = ScoringStatus.Failed,
        FailureReason = failed.Reason,
        FinishedAt = failed.CompletedAt,
        LeaseExpiresAt = null,
    };
}
