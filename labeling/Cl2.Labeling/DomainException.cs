namespace Cl2.Labeling;

/// <summary>
/// A rule of the domain said no. <see cref="Code"/> is stable: clients switch on it (GraphQL <c>extensions.code</c>),
/// so a code is never renamed once published.
/// </summary>
public class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>Extra facts a client needs to recover (ids, current versions), published under <c>extensions</c>.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();

    public static DomainException NotFound(string code, string what, Guid id) => new(code, $"{what} {id} does not exist.");

    public static DomainException Invalid(string message) => new(ErrorCodes.InvalidInput, message);
}

/// <summary>The published error codes, in one place so that clients and tests use the same names.</summary>
public static class ErrorCodes
{
    public const string InvalidInput = "INVALID_INPUT";
    public const string DatasetNotFound = "DATASET_NOT_FOUND";
    public const string CaseNotFound = "CASE_NOT_FOUND";
    public const string StudyNotInArchive = "STUDY_NOT_IN_ARCHIVE";
    public const string CaseAssignedToSomeoneElse = "CASE_ASSIGNED_TO_SOMEONE_ELSE";
    public const string CaseInFixedSplit = "CASE_IN_FIXED_SPLIT";
    public const string BlobNotFound = "BLOB_NOT_FOUND";
    public const string LabelRevisionConflict = "LABEL_REVISION_CONFLICT";
    public const string LabelRevisionNotFound = "LABEL_REVISION_NOT_FOUND";
    public const string LabelAlreadyReviewed = "LABEL_ALREADY_REVIEWED";
    public const string ModelNotFound = "MODEL_NOT_FOUND";
    public const string ModelNameTaken = "MODEL_NAME_TAKEN";
    public const string ModelTaskUnknown = "MODEL_TASK_UNKNOWN";
    public const string ModelHasVersions = "MODEL_HAS_VERSIONS";
    public const string ModelVersionNotFound = "MODEL_VERSION_NOT_FOUND";
    public const string ModelVersionConflict = "MODEL_VERSION_CONFLICT";
    public const string ModelStageInvalid = "MODEL_STAGE_INVALID";
    public const string NothingToRollBackTo = "NOTHING_TO_ROLL_BACK_TO";
    public const string ReasonTooLong = "REASON_TOO_LONG";
    public const string GateNotPassed = "GATE_NOT_PASSED";
    public const string EvaluationBaselineStale = "EVALUATION_BASELINE_STALE";
    public const string DatasetSplitAlreadyFixed = "DATASET_SPLIT_ALREADY_FIXED";
    public const string TrainingJobNotFound = "TRAINING_JOB_NOT_FOUND";
    public const string TrainingJobNotRunning = "TRAINING_JOB_NOT_RUNNING";
    public const string TrainingLeaseLost = "TRAINING_LEASE_LOST";
    public const string TrainingJobFinished = "TRAINING_JOB_FINISHED";
    public const string TrainingJobNotCancelled = "TRAINING_JOB_NOT_CANCELLED";
    public const string ScoringJobNotFound = "SCORING_JOB_NOT_FOUND";
    public const string ScoringJobNotRunning = "SCORING_JOB_NOT_RUNNING";
    public const string ScoringLeaseLost = "SCORING_LEASE_LOST";
    public const string InferenceResultNotFound = "INFERENCE_RESULT_NOT_FOUND";
    public const string InferenceResultIdTaken = "INFERENCE_RESULT_ID_TAKEN";
    public const string StudyProcessingNotClaimed = "STUDY_PROCESSING_NOT_CLAIMED";
    public const string DeliveryFinished = "DELIVERY_FINISHED";
    public const string DeliveryNotFound = "DELIVERY_NOT_FOUND";
    public const string DeliveryNotDeadLettered = "DELIVERY_NOT_DEAD_LETTERED";
    public const string RoutingTableConflict = "ROUTING_TABLE_CONFLICT";
    public const string RoutingRuleNotFound = "ROUTING_RULE_NOT_FOUND";
    public const string RoutingPatternInvalid = "ROUTING_PATTERN_INVALID";
    public const string FeedbackNotFound = "FEEDBACK_NOT_FOUND";
    public const string PacsNotConfigured = "PACS_NOT_CONFIGURED";
    public const string PacsUnreachable = "PACS_UNREACHABLE";
    public const string PacsFailed = "PACS_FAILED";
    public const string PacsImportNotFound = "PACS_IMPORT_NOT_FOUND";
    public const string PacsImportLeaseLost = "PACS_IMPORT_LEASE_LOST";
    public const string PacsStudyNotFound = "PACS_STUDY_NOT_FOUND";
    public const string PseudonymKeyMissing = "PSEUDONYM_KEY_MISSING";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string Forbidden = "FORBIDDEN";
}
