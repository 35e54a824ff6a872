using Marten.Events.Projections;

namespace Cl2.Labeling.Inference;

/// <summary>
/// One result's delivery to one destination (read model, projected inline from the results' streams), so that deliveries
/// can be listed across results: the dead-lettered ones an admin has to look at. Its id is the result's and the
/// destination's (<c>{resultId}/{destination}</c>), as inference's outbox names it. Where inference runs as replicas, a
/// delivery is claimed under a lease (<see cref="DeliveryClaimed"/>) and the record also says who holds it, until when, and
/// what to send, so that another replica finds and finishes it when the lease runs out.
/// </summary>
public sealed record DeliveryRecord(
    string Id,
    Guid InferenceResultId,
    string Destination,
    DeliveryStatus Status,
    int Attempts,
    string? LastError,
    DateTimeOffset LastAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? Replica = null,
    DateTimeOffset? LeaseExpiresAt = null,
    string? StudyInstanceUid = null,
    IReadOnlyList<DeliveryObject>? Objects = null,
    string? CallingAeTitle = null,
    string? CalledAeTitle = null)
{
    public static string IdOf(Guid resultId, string destination) => $"{resultId}/{destination}";

    public static DeliveryRecord Of(InferenceResult result, Delivery delivery) =>
        new(IdOf(result.Id, delivery.Destination), result.Id, delivery.Destination, delivery.Status, delivery.Attempts, delivery.LastError,
            delivery.LastAttemptAt, delivery.DeliveredAt);
}

public sealed class DeliveryRecordProjection : MultiStreamProjection<DeliveryRecord, string>
{
    public DeliveryRecordProjection()
    {
        Identity<DeliveryAttempted>(attempted => DeliveryRecord.IdOf(attempted.ResultId, attempted.Destination));
        Identity<DeliverySucceeded>(succeeded => DeliveryRecord.IdOf(succeeded.ResultId, succeeded.Destination));
        Identity<DeliveryDeadLettered>(dead => DeliveryRecord.IdOf(dead.ResultId, dead.Destination));
        Identity<DeliveryRetryRequested>(requested => DeliveryRecord.IdOf(requested.ResultId, requested.Destination));
        Identity<DeliveryClaimed>(claimed => DeliveryRecord.IdOf(claimed.ResultId, claimed.Destination));
    }

    // Claimed before its first attempt: Retrying with no attempt yet.
    public static DeliveryRecord Create(DeliveryClaimed claimed) =>
        Apply(claimed, new DeliveryRecord(DeliveryRecord.IdOf(claimed.ResultId, claimed.Destination), claimed.ResultId, claimed.Destination,
            DeliveryStatus.Retrying, 0, null, claimed.ClaimedAt, null));

    public static DeliveryRecord Apply(DeliveryClaimed claimed, DeliveryRecord record) => record with
    {
        Replica = claimed.Replica,
        LeaseExpiresAt = claimed.LeaseExpiresAt,
        StudyInstanceUid = claimed.StudyInstanceUid,
        Objects = claimed.Objects,
        CallingAeTitle = claimed.CallingAeTitle,
        CalledAeTitle = claimed.CalledAeTitle,
    };

    public static DeliveryRecord Create(DeliveryAttempted attempted) =>
        new(DeliveryRecord.IdOf(attempted.ResultId, attempted.Destination), attempted.ResultId, attempted.Destination, DeliveryStatus.Retrying,
            attempted.Attempt, attempted.Error, attempted.AttemptedAt, null);

    public static DeliveryRecord Create(DeliverySucceeded succeeded) =>
        new(DeliveryRecord.IdOf(succeeded.ResultId, succeeded.Destination), succeeded.ResultId, succeeded.Destination, DeliveryStatus.Delivered,
            succeeded.Attempt, null, succeeded.DeliveredAt, succeeded.DeliveredAt);

    public static DeliveryRecord Create(DeliveryDeadLettered dead) =>
        new(DeliveryRecord.IdOf(dead.ResultId, dead.Destination), dead.ResultId, dead.Destination, DeliveryStatus.DeadLettered,
            dead.Attempts, dead.Reason, dead.DeadLetteredAt, null);

    public static DeliveryRecord Apply(DeliveryAttempted attempted, DeliveryRecord record) =>
        record with { Status = DeliveryStatus.Retrying, Attempts = attempted.Attempt, LastError = attempted.Error, LastAttemptAt = attempted.AttemptedAt };

    public static DeliveryRecord Apply(DeliverySucceeded succeeded, DeliveryRecord record) =>
        record with { Status = DeliveryStatus.Delivered, Attempts = succeeded.Attempt, LastAttemptAt = succeeded.DeliveredAt, DeliveredAt = succeeded.DeliveredAt };

    public static DeliveryRecord Apply(DeliveryDeadLettered dead, DeliveryRecord record) =>
        record with { Status = DeliveryStatus.DeadLettered, Attempts = dead.Attempts, LastError = dead.Reason, LastAttemptAt = dead.DeadLetteredAt };

    public static DeliveryRecord Apply(DeliveryRetryRequested requested, DeliveryRecord record) => record with { Status = DeliveryStatus.Retrying };
}
