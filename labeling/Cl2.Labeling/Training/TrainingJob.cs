using Cl2.Labeling.Models;
using Marten.Schema;

namespace Cl2.Labeling.Training;

// The training job stream: one stream per job. Workers claim a job with a lease that each progress report and each
// heartbeat (TrainingLeaseRenewed) renews; a job whose lease ran out (its worker died) can be claimed again, and the
// new worker resumes from the last checkpoint the job recorded. The attempt number says which claim a report belongs
// to, so a worker that lost its lease cannot report over the one that took the job from it.

/// <param name="DataCut">The event sequence number the training set is cut at: labels and feedback recorded after it
/// are not in it, so the same set can be read again later.</param>
public sealed record TrainingRequested(
    Guid JobId,
    Guid ModelId,
    Guid? BaseVersionId,
    Guid? DatasetId,
    string Trigger,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    TrainingRecipe? Recipe = null,
    long? DataCut = null);

public sealed record TrainingClaimed(
    Guid JobId,
    int Attempt,
    string Worker,
    string Device,
    DateTimeOffset LeaseExpiresAt,
    string ClaimedBy,
    DateTimeOffset ClaimedAt);

/// <summary>An epoch done; <see cref="CheckpointDigest"/> names the checkpoint blob a reclaiming worker resumes from.</summary>
public sealed record TrainingProgressed(
    Guid JobId,
    int Attempt,
    int Epoch,
    double Loss,
    IReadOnlyList<Metric> Metrics,
    string? CheckpointDigest,
    DateTimeOffset LeaseExpiresAt,
    string ReportedBy,
    DateTimeOffset ReportedAt);

/// <summary>The holder extended its lease between epochs (a heartbeat); the audit of who held the job when.</summary>
public sealed record TrainingLeaseRenewed(Guid JobId, int Attempt, DateTimeOffset LeaseExpiresAt, string RenewedBy, DateTimeOffset RenewedAt);

public sealed record TrainingSucceeded(Guid JobId, int Attempt, Guid? VersionId, string CompletedBy, DateTimeOffset CompletedAt);

public sealed record TrainingFailed(Guid JobId, int Attempt, string Reason, string CompletedBy, DateTimeOffset CompletedAt);

/// <summary>Someone asked a running job to stop; its worker hears it, stops at its next step and reports the job cancelled.</summary>
public sealed record TrainingCancellationRequested(Guid JobId, int Attempt, string? Reason, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>The job stopped without a version; <see cref="CheckpointDigest"/> names where it got to, which resuming continues from.</summary>
public sealed record TrainingCancelled(Guid JobId, int Attempt, string? CheckpointDigest, string? Reason, string CancelledBy, DateTimeOffset CancelledAt);

/// <summary>A cancelled job was put back in the queue; the next claim resumes from its last checkpoint.</summary>
public sealed record TrainingResumed(Guid JobId, string ResumedBy, DateTimeOffset ResumedAt);

public enum TrainingStatus
{
    Requested,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public sealed record TrainingEpoch(int Attempt, int Epoch, double Loss, IReadOnlyList<Metric> Metrics, string? CheckpointDigest, DateTimeOffset ReportedAt);

/// <summary>The training job aggregate, stored as an inline snapshot; job listings filter it.</summary>
public sealed record TrainingJob(
    Guid Id,
    Guid ModelId,
    Guid? BaseVersionId,
    Guid? DatasetId,
    string Trigger,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    TrainingStatus Status,
    int Attempt,
    string? Worker,
    string? Device,
    DateTimeOffset? ClaimedAt,
    DateTimeOffset? LeaseExpiresAt,
    IReadOnlyList<TrainingEpoch> Progress,
    string? LastCheckpointDigest,
    Guid? VersionId,
    string? FailureReason,
    DateTimeOffset? FinishedAt,
    TrainingRecipe? Recipe = null,
    long? DataCut = null,
    DateTimeOffset? CancellationRequestedAt = null,
    string? CancellationRequestedBy = null)
{
    [Version]
    public long Version { get; set; }

    public TrainingEpoch? LastEpoch => Progress.Count > 0 ? Progress[^1] : null;

    /// <summary>A worker may claim the job: nobody has, or the last claimer's lease ran out before it finished.</summary>
    public bool IsClaimable(DateTimeOffset now) =>
        Status == TrainingStatus.Requested || (Status == TrainingStatus.Running && LeaseExpiresAt <= now && CancellationRequestedAt is null);

    public static TrainingJob Create(TrainingRequested requested) =>
        new(requested.JobId, requested.ModelId, requested.BaseVersionId, requested.DatasetId, requested.Trigger, requested.RequestedBy,
            requested.RequestedAt, TrainingStatus.Requested, 0, null, null, null, null, [], null, null, null, null, requested.Recipe,
            requested.DataCut);

    public static TrainingJob Apply(TrainingClaimed claimed, TrainingJob job) => job with
    {
        Status = TrainingStatus.Running,
        Attempt = claimed.Attempt,
        Worker = claimed.Worker,
        Device = claimed.Device,
        ClaimedAt = claimed.ClaimedAt,
        LeaseExpiresAt = claimed.LeaseExpiresAt,
    };

    public static TrainingJob Apply(TrainingProgressed progressed, TrainingJob job) => job with
    {
        Progress = [.. job.Progress, new TrainingEpoch(progressed.Attempt, progressed.Epoch, progressed.Loss, progressed.Metrics,
            progressed.CheckpointDigest, progressed.ReportedAt)],
        LastCheckpointDigest = progressed.CheckpointDigest ?? job.LastCheckpointDigest,
        LeaseExpiresAt = progressed.LeaseExpiresAt,
    };

    public static TrainingJob Apply(TrainingLeaseRenewed renewed, TrainingJob job) => job with { LeaseExpiresAt = renewed.LeaseExpiresAt };

    public static TrainingJob Apply(TrainingSucceeded succeeded, TrainingJob job) => job with
    {
        Status = TrainingStatus.Succeeded,
        VersionId = succeeded.VersionId,
        FinishedAt = succeeded.CompletedAt,
        LeaseExpiresAt = null,
    };

    public static TrainingJob Apply(TrainingCancellationRequested requested, TrainingJob job) => job with
    {
        CancellationRequestedAt = requested.RequestedAt,
        CancellationRequestedBy = requested.RequestedBy,
    };

    public static TrainingJob Apply(TrainingCancelled cancelled, TrainingJob job) => job with
    {
        Status = TrainingStatus.Cancelled,
        LastCheckpointDigest = cancelled.CheckpointDigest ?? job.LastCheckpointDigest,
        FinishedAt = cancelled.CancelledAt,
        LeaseExpiresAt = null,
    };

    public static TrainingJob Apply(TrainingResumed resumed, TrainingJob job) => job with
    {
        Status = TrainingStatus.Requested,
        CancellationRequestedAt = null,
        CancellationRequestedBy = null,
        FinishedAt = null,
    };

    public static TrainingJob Apply(TrainingFailed failed, TrainingJob job) => job with
    {
        Status = TrainingStatus.Failed,
        FailureReason = failed.Reason,
        FinishedAt = failed.CompletedAt,
        LeaseExpiresAt = null,
    };
}
