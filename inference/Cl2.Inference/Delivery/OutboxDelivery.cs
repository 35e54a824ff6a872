namespace Cl2.Inference.Delivery;

public enum OutboxState
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,

    /// <summary>The destination has it; labeling has not recorded that yet (after a restart it is sent again, as the same objects).</summary>
    Sent,

    /// <summary>Given up after <see cref="DeliveryOptions.MaxAttempts"/> failures in a row; waits for an admin's retryDelivery.</summary>
    DeadLettered,

    /// <summary>The destination has it and labeling recorded it.</summary>
    Delivered,
}

/// <summary>
/// One result's delivery to one destination, as the outbox knows it. Its id is the result's and the destination's, so
/// the same result handed over twice is one delivery. <see cref="Attempts"/> numbers every attempt ever made (labeling
/// records them by that number); <see cref="FailuresInRow"/> counts towards the dead letter and starts again on requeue.
/// </summary>
public sealed record OutboxDelivery(
    string Id,
    Guid ResultId,
    string Destination,
    string StudyInstanceUid,
    string CallingAeTitle,
    string? CalledAeTitle,
    IReadOnlyList<OutboxObject> Objects,
    DateTimeOffset QueuedAt)
{
    public OutboxState State { get; init; }

    public int Attempts { get; init; }

    public int FailuresInRow { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>The last attempt whose failure labeling recorded (0: none).</summary>
    public int ReportedAttempt { get; init; }

    public static string IdOf(Guid resultId, string destination) => $"{resultId}/{destination}";

    /// <summary>What labeling has not recorded yet: a send that went through, or the latest failure (or dead letter).</summary>
    public bool NeedsReport => State == OutboxState.Sent || (State is OutboxState.Pending or OutboxState.DeadLettered && Attempts > ReportedAttempt && LastError is not null);
}
