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

/// <summary>A job's own epochs, learning rate, batch size, training spacing and patch size (x, y, z) and precision
/// (<c>FLOAT32</c> or <c>BF16_AUTOCAST</c>); null fields keep the worker's settings and the workload's.</summary>
public sealed record TrainingRecipeInfo(int? Epochs, double? LearningRate, int? BatchSize, IReadOnlyList<double>? SpacingMm = null,
    IReadOnlyList<int>? PatchSize = null, string? Precision = null);

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

/// <summary>A trained version names <see cref="DataDigest"/>; an imported one names <see cref="ImportedFrom"/> and no training lineage.</summary>
public sealed record RegisterModelVersionInput(
    Guid ModelId,
    IReadOnlyList<MetricValue> Metrics,
    string ArtifactDigest,
    string? DataDigest,
    string CodeVersion,
    Guid? BaseVersionId = null,
    IReadOnlyList<Guid>? LabelRevisionIds = null,
    IReadOnlyList<Guid>? FeedbackIds = null,
    Guid? TrainingJobId = null,
    ModelImportInput? ImportedFrom = null,
    IReadOnlyList<AcceptedResultLabelInput>? AcceptedResults = null);

/// <summary>An accepted result a version trained on (its ACCEPT feedback and inference result) and its samples' weight in the loss.</summary>
public sealed record AcceptedResultLabelInput(Guid FeedbackId, Guid InferenceResultId, double Weight);

/// <summary>Which evaluation set a result belongs to: the dataset's fixed test split, or held-out corrected feedback cases.</summary>
public enum EvaluationSplit
{
    Test,
    Feedback,
}

/// <summary>One set's result: the candidate's metric (higher is better) and production's on the same cases (null: none in production).</summary>
public sealed record EvaluationSetInput(EvaluationSplit Split, string Metric, int CaseCount, double Candidate, double? Production);

public sealed record RecordModelEvaluationInput(Guid ModelId, Guid VersionId, Guid? ProductionVersionId, IReadOnlyList<EvaluationSetInput> Sets,
    IReadOnlyList<Guid> FeedbackIds);

/// <summary>Where an imported version's weights came from: the source file's digest and what it is.</summary>
public sealed record ModelImportInput(string SourceDigest, string Description);

public sealed record RecordStudyReceivedInput(string StudyInstanceUid, string CallingAeTitle, int InstanceCount);

/// <summary>Asks labeling for a study's pipeline run (docs/deploy.md, "Inference replicas").</summary>
public sealed record ClaimStudyProcessingInput(string StudyInstanceUid, string Replica, int QuietSeconds, int LeaseSeconds);

public sealed record FinishStudyProcessingInput(string StudyInstanceUid, string Replica, int InstanceCount);

/// <summary>Tells labeling this replica holds instances of a study the archive lacks, for <see cref="PendingSeconds"/> unless said again;
/// the newest of them arrived here at <see cref="ReceivedThrough"/>.</summary>
public sealed record RecordStudyPartReceivedInput(string StudyInstanceUid, string Replica, int PendingSeconds, DateTimeOffset? ReceivedThrough = null);

/// <summary>Tells labeling this replica's part of a study is in the archive, up to the instance that arrived here at <see cref="ForwardedThrough"/>.</summary>
public sealed record RecordStudyPartForwardedInput(string StudyInstanceUid, string Replica, DateTimeOffset? ForwardedThrough = null);

public enum StudyProcessingClaimState
{
    Granted,
    Held,
    Processed,
    NotQuiet,
    NotArchived,
    PartsPending,
}

/// <summary>Whether the asking replica holds the study (at <see cref="InstanceCount"/> instances), else why not and when to ask again.</summary>
public sealed record StudyProcessingClaimInfo(bool Granted, StudyProcessingClaimState State, int InstanceCount, string? Replica, DateTimeOffset? LeaseExpiresAt,
    DateTimeOffset? RetryAt);

/// <summary>Asks labeling to send a result to a destination under a lease (docs/deploy.md, "Inference replicas"); the objects are blobs already stored.</summary>
public sealed record ClaimDeliveryInput(Guid InferenceResultId, string Destination, string Replica, int LeaseSeconds, IReadOnlyList<DeliveryObjectInfo> Objects,
    string CallingAeTitle, string? CalledAeTitle);

public sealed record DeliveryObjectInfo(string Digest, string SopInstanceUid);

public enum DeliveryClaimState
{
    Granted,
    Held,
    Delivered,
    DeadLettered,
}

public sealed record DeliveryClaimInfo(bool Granted, DeliveryClaimState State, string? Replica, DateTimeOffset? LeaseExpiresAt);

/// <summary>A delivery whose holder neither finished it nor renewed its lease in time: what to send, and where.</summary>
public sealed record ExpiredDeliveryLeaseInfo(Guid InferenceResultId, string Destination, string StudyInstanceUid, string Replica, DateTimeOffset LeaseExpiresAt,
    string CallingAeTitle, string? CalledAeTitle, IReadOnlyList<DeliveryObjectInfo> Objects);

public sealed record RecordStudyForwardingStuckInput(string StudyInstanceUid, string CallingAeTitle, int Attempts, string Reason);

/// <summary>
/// A result (<see cref="Failure"/> null) or a recorded failure; <see cref="ModelVersionId"/> is null when no model ran.
/// <see cref="ResultId"/> is the idempotency key: labeling records one result per id, so a caller that retries after a
/// lost response sends the same id again (keep it, or derive it with <see cref="ResultIdFor"/>); when it is null the
/// client sends a fresh one.
/// </summary>
public sealed record RecordInferenceResultInput(
    string StudyInstanceUid,
    Guid? ModelVersionId,
    string Pipeline,
    IReadOnlyList<string> ResultUids,
    double DurationMs,
    InferenceFailure? Failure = null,
    string? FailureReason = null,
    RoutingDecisionInfo? Routing = null,
    IReadOnlyList<StageTimingInfo>? Stages = null,
    Guid? ResultId = null)
{
    /// <summary>
    /// The same id for the same attempt of the same study, model version and pipeline (a name-based UUID, RFC 9562
    /// version 8, from SHA-256): a caller that processes a study again after a crash derives the key it sent before.
    /// <paramref name="attempt"/> tells real re-runs apart (e.g. the processing run's id, or the instance count it saw).
    /// </summary>
    public static Guid ResultIdFor(string studyInstanceUid, Guid? modelVersionId, string pipeline, string attempt)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"cl2/inference-result/{studyInstanceUid}/{modelVersionId}/{pipeline}/{attempt}"));
        digest[6] = (byte)((digest[6] & 0x0F) | 0x80);
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80);
        return new Guid(digest.AsSpan(0, 16), bigEndian: true);
    }
}

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
/// <param name="DurationMs">With a success: from the hand-over to the sender until the destination had it (the result's DELIVER stage).</param>
public sealed record RecordDeliveryInput(Guid InferenceResultId, string Destination, DeliveryOutcome Outcome, string? Error = null, int? Attempt = null,
    double? DurationMs = null);

/// <summary>How far a shadow version agreed with production on one label (Dice of a segment, 1 or 0 for a finding).</summary>
public sealed record LabelAgreementInput(string Label, double Agreement);

/// <param name="OutputDigest">The shadow's output, stored first as a blob in the format of a label of its kind, so labeling can
/// compare it with a radiologist's later correction of production's result.</param>
public sealed record RecordShadowResultInput(Guid ProductionResultId, Guid VersionId, IReadOnlyList<LabelAgreementInput> Labels, string? OutputDigest = null);

public sealed record ShadowResultInfo(Guid Id, string StudyInstanceUid, Guid VersionId, Guid ProductionVersionId, double Agreement);
