namespace Cl2.Labeling.Client;

// What the operations in LabelingOperations return and take, as labeling's schema names them. Enum values travel as
// the schema's upper-case names (DEAD_LETTERED), through the client's JSON options.

public sealed record MetricValue(string Name, double Value);

public enum TrainingStatus
{
    Requested,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public enum TrainingOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

public enum DeliveryOutcome
{
    Failed,
    Succeeded,
    DeadLettered,
}

public enum DeliveryStatus
{
    Retrying,
    Delivered,
    DeadLettered,
}

public enum ProductionChange
{
    Promoted,
    RolledBack,
}

public sealed record TrainingJobInfo(
    Guid Id,
    Guid ModelId,
    Guid? BaseVersionId,
    Guid? DatasetId,
    TrainingStatus Status,
    int Attempt,
    string? Worker,
    string? Device,
    DateTimeOffset? LeaseExpiresAt,
    string? LastCheckpointDigest,
    Guid? VersionId,
    string? FailureReason,
    TrainingRecipeInfo? Recipe = null,
    DateTimeOffset? CancellationRequestedAt = null);

/// <summary>A job's own epochs, learning rate and batch size; null fields keep the worker's settings.</summary>
public sealed record TrainingRecipeInfo(int? Epochs, double? LearningRate, int? BatchSize);

public sealed record ModelVersionInfo(Guid Id, Guid ModelId, int Number, string Stage, string ArtifactDigest, IReadOnlyList<MetricValue> Metrics);

public sealed record StudyForwardingInfo(string StudyInstanceUid, string CallingAeTitle, bool IsStuck, int Attempts, string Reason,
    DateTimeOffset StuckAt, DateTimeOffset? ResumedAt);

public sealed record ReceivedStudyInfo(Guid Id, string StudyInstanceUid, string CallingAeTitle, int InstanceCount, DateTimeOffset ReceivedAt);

public sealed record DeliveryInfo(string Destination, DeliveryStatus Status, int Attempts, string? LastError);

public sealed record InferenceResultInfo(
    Guid Id,
    string StudyInstanceUid,
    Guid? ModelId,
    Guid? VersionId,
    string Pipeline,
    IReadOnlyList<string> ResultUids,
    IReadOnlyList<DeliveryInfo> Deliveries);

public sealed record TrainingProgressInfo(Guid JobId, int Attempt, int Epoch, double Loss, string? CheckpointDigest, DateTimeOffset ReportedAt, IReadOnlyList<MetricValue> Metrics);

public sealed record ModelPromotionInfo(Guid ModelId, Guid VersionId, Guid? ReplacedVersionId, ProductionChange Change, string By, DateTimeOffset At);

public sealed record ClaimTrainingJobInput(string Worker, string Device, Guid? ModelId = null, int? LeaseSeconds = null);

public sealed record ReportTrainingProgressInput(
    Guid JobId,
    int Attempt,
    int Epoch,
    double Loss,
    IReadOnlyList<MetricValue>? Metrics = null,
    string? CheckpointDigest = null,
    int? LeaseSeconds = null);

public sealed record RenewTrainingLeaseInput(Guid JobId, int Attempt, int? LeaseSeconds = null);

public sealed record CompleteTrainingJobInput(Guid JobId, int Attempt, TrainingOutcome Outcome, Guid? VersionId = null, string? FailureReason = null,
    string? CheckpointDigest = null);

public sealed record RegisterModelVersionInput(
    Guid ModelId,
    IReadOnlyList<MetricValue> Metrics,
    string ArtifactDigest,
    string DataDigest,
    string CodeVersion,
    Guid? BaseVersionId = null,
    IReadOnlyList<Guid>? LabelRevisionIds = null,
    IReadOnlyList<Guid>? FeedbackIds = null,
    Guid? TrainingJobId = null);

public sealed record RecordStudyReceivedInput(string StudyInstanceUid, string CallingAeTitle, int InstanceCount);

public sealed record RecordStudyForwardingStuckInput(string StudyInstanceUid, string CallingAeTitle, int Attempts, string Reason);

/// <summary>A result (<see cref="Failure"/> null) or a recorded failure; <see cref="ModelVersionId"/> is null when no model ran.</summary>
public sealed record RecordInferenceResultInput(
    string StudyInstanceUid,
    Guid? ModelVersionId,
    string Pipeline,
    IReadOnlyList<string> ResultUids,
    double DurationMs,
    InferenceFailure? Failure = null,
    string? FailureReason = null,
    RoutingDecisionInfo? Routing = null,
    IReadOnlyList<StageTimingInfo>? Stages = null);

public enum InferenceFailure
{
    NoRuleMatched,
    NoProductionVersion,
    MissingSeries,
    UnusableVolume,
    ManifestMismatch,
    CorruptInstance,
    WorkloadFailed,
}

public enum InferenceStage
{
    WaitForCompleteness,
    Load,
    Preprocess,
    Model,
    Postprocess,
    Encode,
    Deliver,
}

public sealed record StageTimingInfo(InferenceStage Stage, double DurationMs);

public sealed record RoutingDecisionInfo(int TableVersion, Guid? RuleId, string? RuleName, int? RuleVersion, IReadOnlyList<string> Explanation);

public sealed record RoutingTableInfo(int Version, IReadOnlyList<RoutingRuleInfo> Rules);

/// <summary>A routing rule as labeling stores it; a null condition matches anything.</summary>
public sealed record RoutingRuleInfo(
    Guid Id,
    string Name,
    int Priority,
    string Workload,
    string? ModelName,
    string? CallingAeTitle,
    string? CalledAeTitle,
    string? Modality,
    string? BodyPart,
    string? SopClassUid,
    string? SeriesDescription,
    int? MinInstances,
    int? MaxInstances,
    int RuleVersion);

/// <param name="Attempt">The attempt's number as the sender counts them: a report of an attempt labeling already holds
/// changes nothing, so the sender can report again after a crash. Null: the next attempt.</param>
public sealed record RecordDeliveryInput(Guid InferenceResultId, string Destination, DeliveryOutcome Outcome, string? Error = null, int? Attempt = null);
