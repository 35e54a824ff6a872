using Marten.Schema;

namespace Cl2.Labeling.Inference;

// What inference did with the studies it received. A received study is a stream of its own (one per receipt); each
// inference result is a stream that also holds its deliveries, so retries of one delivery never contend with another
// result. Deliveries are never dropped silently: each ends delivered or dead-lettered, with every attempt recorded.

public sealed record StudyReceived(
    Guid ReceiptId,
    string StudyInstanceUid,
    string CallingAeTitle,
    int InstanceCount,
    string ReceivedBy,
    DateTimeOffset ReceivedAt);

/// <summary>More instances of a study already received arrived at inference; <see cref="InstanceCount"/> is its new total.</summary>
public sealed record StudyReceiptUpdated(Guid ReceiptId, string StudyInstanceUid, int InstanceCount, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>Inference ran on a study: a model version (none for pass-through) wrote <see cref="ResultUids"/>, or, with
/// <see cref="Failure"/>, the study produced no result and <see cref="FailureReason"/> says why.</summary>
public sealed record InferenceCompleted(
    Guid ResultId,
    string StudyInstanceUid,
    Guid? ModelId,
    Guid? VersionId,
    string Pipeline,
    IReadOnlyList<string> ResultUids,
    double DurationMs,
    string CompletedBy,
    DateTimeOffset CompletedAt,
    InferenceFailure? Failure = null,
    string? FailureReason = null,
    RoutingDecision? Routing = null,
    IReadOnlyList<StageTiming>? Stages = null);

/// <summary>An attempt to deliver a result that did not (yet) succeed, and why.</summary>
public sealed record DeliveryAttempted(Guid ResultId, string Destination, int Attempt, string Error, string AttemptedBy, DateTimeOffset AttemptedAt);

/// <param name="DurationMs">From the result's hand-over to the sender until the destination had it; null in reports made before it was recorded.</param>
public sealed record DeliverySucceeded(Guid ResultId, string Destination, int Attempt, string DeliveredBy, DateTimeOffset DeliveredAt, double? DurationMs = null);

/// <summary>
/// Inference replica <see cref="Replica"/> holds the delivery of the result to <see cref="Destination"/> until
/// <see cref="LeaseExpiresAt"/> (ClaimDelivery.cs): nobody else sends it meanwhile; after that any replica may take it over,
/// sending <see cref="Objects"/> (blobs in labeling's store) as the holder would have.
/// </summary>
public sealed record DeliveryClaimed(
    Guid ResultId,
    string Destination,
    string StudyInstanceUid,
    string Replica,
    DateTimeOffset LeaseExpiresAt,
    IReadOnlyList<DeliveryObject> Objects,
    string CallingAeTitle,
    string? CalledAeTitle,
    string ClaimedBy,
    DateTimeOffset ClaimedAt);

/// <summary>A result object to deliver: its bytes as a blob in labeling's store, and the SOP instance they are.</summary>
public sealed record DeliveryObject(string Digest, string SopInstanceUid);

/// <summary>Who holds a delivery under a lease, and until when.</summary>
public sealed record DeliveryHolder(string Destination, string Replica, DateTimeOffset LeaseExpiresAt);

/// <summary>Delivery given up after retries; a person has to look at it.</summary>
public sealed record DeliveryDeadLettered(Guid ResultId, string Destination, int Attempts, string Reason, string DeadLetteredBy, DateTimeOffset DeadLetteredAt);

public enum DeliveryStatus
{
    Retrying,
    Delivered,
    DeadLettered,
}

public sealed record Delivery(
    string Destination,
    DeliveryStatus Status,
    int Attempts,
    string? LastError,
    DateTimeOffset LastAttemptAt,
    DateTimeOffset? DeliveredAt,
    double? DurationMs = null);

/// <summary>A study as inference received it (inline snapshot): one per study, its instance count the latest reported.</summary>
public sealed record ReceivedStudy(Guid Id, string StudyInstanceUid, string CallingAeTitle, int InstanceCount, string ReceivedBy, DateTimeOffset ReceivedAt)
{
    [Version]
    public long Version { get; set; }

    public static ReceivedStudy Create(StudyReceived received) =>
        new(received.ReceiptId, received.StudyInstanceUid, received.CallingAeTitle, received.InstanceCount, received.ReceivedBy, received.ReceivedAt);

    public static ReceivedStudy Apply(StudyReceiptUpdated updated, ReceivedStudy study) => study with { InstanceCount = updated.InstanceCount };
}

/// <summary>One run of inference on a study (of one model version, or none), and where its results went (inline snapshot).</summary>
public sealed record InferenceResult(
    Guid Id,
    string StudyInstanceUid,
    Guid? ModelId,
    Guid? VersionId,
    string Pipeline,
    IReadOnlyList<string> ResultUids,
    double DurationMs,
    string CompletedBy,
    DateTimeOffset CompletedAt,
    IReadOnlyList<Delivery> Deliveries,
    InferenceFailure? Failure = null,
    string? FailureReason = null,
    RoutingDecision? Routing = null,
    IReadOnlyList<StageTiming>? Stages = null,
    IReadOnlyList<DeliveryHolder>? Holders = null)
{
    [Version]
    public long Version { get; set; }

    public DeliveryHolder? FindHolder(string destination) => Holders?.FirstOrDefault(holder => holder.Destination == destination);

    public Delivery? FindDelivery(string destination) => Deliveries.FirstOrDefault(delivery => delivery.Destination == destination);

    public static InferenceResult Create(InferenceCompleted completed) =>
        new(completed.ResultId, completed.StudyInstanceUid, completed.ModelId, completed.VersionId, completed.Pipeline, completed.ResultUids,
            completed.DurationMs, completed.CompletedBy, completed.CompletedAt, [], completed.Failure, completed.FailureReason, completed.Routing,
            completed.Stages ?? []);

    public static InferenceResult Apply(DeliveryAttempted attempted, InferenceResult result) =>
        result.With(new Delivery(attempted.Destination, DeliveryStatus.Retrying, attempted.Attempt, attempted.Error, attempted.AttemptedAt, null));

    /// <summary>Delivered; the result's DELIVER stage becomes the longest of its delivered destinations' durations (the
    /// result is out when the slowest destination has it).</summary>
    public static InferenceResult Apply(DeliverySucceeded succeeded, InferenceResult result)
    {
        var delivered = result.With(new Delivery(succeeded.Destination, DeliveryStatus.Delivered, succeeded.Attempt,
            result.FindDelivery(succeeded.Destination)?.LastError, succeeded.DeliveredAt, succeeded.DeliveredAt, succeeded.DurationMs));
        var durations = delivered.Deliveries.Where(delivery => delivery.Status == DeliveryStatus.Delivered && delivery.DurationMs is not null)
            .Select(delivery => delivery.DurationMs!.Value).ToList();
        return durations.Count == 0
            ? delivered
            : delivered with
            {
                Stages = [.. (delivered.Stages ?? []).Where(stage => stage.Stage != InferenceStage.Deliver), new StageTiming(InferenceStage.Deliver, durations.Max())],
            };
    }

    public static InferenceResult Apply(DeliveryDeadLettered deadLettered, InferenceResult result) =>
        result.With(new Delivery(deadLettered.Destination, DeliveryStatus.DeadLettered, deadLettered.Attempts, deadLettered.Reason,
            deadLettered.DeadLetteredAt, null));

    public static InferenceResult Apply(DeliveryClaimed claimed, InferenceResult result) => result with
    {
        Holders = [.. (result.Holders ?? []).Where(holder => holder.Destination != claimed.Destination),
            new DeliveryHolder(claimed.Destination, claimed.Replica, claimed.LeaseExpiresAt)],
    };

    // Delivery retried on an admin's request (RetryDelivery.cs): Retrying again, its attempts and last error kept.
    public static InferenceResult Apply(DeliveryRetryRequested requested, InferenceResult result) =>
        result.With(result.FindDelivery(requested.Destination)! with { Status = DeliveryStatus.Retrying });

    private InferenceResult With(Delivery delivery) => this with
    {
        Deliveries = [.. Deliveries.Where(existing => existing.Destination != delivery.Destination), delivery],
    };
}
