using Marten.Schema;

namespace Cl2.Labeling.Inference;

// Inference may run as several replicas, each with its own listener; one study can arrive over associations on several of
// them. Which replica runs the study's pipeline is decided here, in the system of record, not in any replica's memory.

/// <summary>
/// <see cref="Replica"/> took the processing of a study as the archive held it (<see cref="InstanceCount"/> instances)
/// until <see cref="LeaseExpiresAt"/>; after that another replica may take it over.
/// </summary>
public sealed record StudyProcessingClaimed(
    Guid ProcessingId,
    string StudyInstanceUid,
    int InstanceCount,
    string Replica,
    DateTimeOffset LeaseExpiresAt,
    string ClaimedBy,
    DateTimeOffset ClaimedAt);

/// <summary><see cref="Replica"/> recorded the outcome of the study at <see cref="InstanceCount"/> instances.</summary>
public sealed record StudyProcessingFinished(
    Guid ProcessingId,
    string StudyInstanceUid,
    int InstanceCount,
    string Replica,
    string FinishedBy,
    DateTimeOffset FinishedAt);

/// <summary>
/// <see cref="Replica"/> acknowledged instances of the study (C-STORE Success) that it has not forwarded to the archive
/// yet: nobody claims the study before they are there, or before <see cref="PendingUntil"/> passes unrenewed (the replica
/// died and did not come back). Recorded again it renews the wait. <see cref="ReceivedThrough"/>: when the newest of those
/// instances arrived there, by the replica's clock (null from a replica that does not say).
/// </summary>
public sealed record StudyPartReceived(
    Guid ProcessingId,
    string StudyInstanceUid,
    string Replica,
    DateTimeOffset PendingUntil,
    string RecordedBy,
    DateTimeOffset RecordedAt,
    DateTimeOffset? ReceivedThrough = null);

/// <summary><see cref="Replica"/> forwarded every instance of the study it held to the archive: its part no longer waits.
/// <see cref="ForwardedThrough"/>: when the newest instance it forwarded arrived there, by the replica's clock (null from
/// a replica that does not say).</summary>
public sealed record StudyPartForwarded(
    Guid ProcessingId,
    string StudyInstanceUid,
    string Replica,
    string RecordedBy,
    DateTimeOffset RecordedAt,
    DateTimeOffset? ForwardedThrough = null);

/// <summary>A replica's part of a study that is acknowledged but not in the archive yet, waited for until <see cref="Until"/>;
/// its newest instance arrived at <see cref="ReceivedThrough"/> (null: not said).</summary>
public sealed record PendingStudyPart(string Replica, DateTimeOffset Until, DateTimeOffset? ReceivedThrough = null);

/// <summary>A replica forwarded its part of a study up to the instance that arrived there at <see cref="Through"/>.</summary>
public sealed record ForwardedStudyPart(string Replica, DateTimeOffset Through);

/// <summary>Who processes a study, at how many instances, how far it got, and which replicas still hold parts of it that
/// the archive lacks (inline snapshot): one per study. A stream that began with a pending part has no claim yet
/// (<see cref="ClaimedCount"/> 0, <see cref="Replica"/> empty). <see cref="ForwardedParts"/>: how far each replica said it
/// forwarded, so a report older than that forward does not put the part back.</summary>
public sealed record StudyProcessing(
    Guid Id,
    string StudyInstanceUid,
    int ClaimedCount,
    string Replica,
    DateTimeOffset LeaseExpiresAt,
    int FinishedCount,
    IReadOnlyList<PendingStudyPart>? PendingParts = null,
    IReadOnlyList<ForwardedStudyPart>? ForwardedParts = null)
{
    /// <summary>RFC 9562 name-based (v5) ids of Study Instance UIDs for this stream live here (a random v4, fixed forever).</summary>
    private static readonly Guid ProcessingNamespace = new("5a1e7c3d-92b4-4f06-8d2a-c61e0f4b7a93");

    [Version]
    public long Version { get; set; }

    /// <summary>A claim that is not finished and whose lease has not run out.</summary>
    public bool IsHeld(DateTimeOffset now) => ClaimedCount > FinishedCount && LeaseExpiresAt > now;

    /// <summary>Parts of replicas other than <paramref name="replica"/> that are still waited for at <paramref name="now"/>.</summary>
    public IReadOnlyList<PendingStudyPart> PendingElsewhere(string replica, DateTimeOffset now) =>
        [.. (PendingParts ?? []).Where(part => part.Replica != replica && part.Until > now)];

    /// <summary>The replica's part as it last said it is waiting, or null.</summary>
    public PendingStudyPart? PendingPartOf(string replica) => PendingParts?.FirstOrDefault(part => part.Replica == replica);

    /// <summary>When the newest instance the replica said it forwarded arrived there, or null.</summary>
    public DateTimeOffset? ForwardedThrough(string replica) => ForwardedParts?.FirstOrDefault(part => part.Replica == replica)?.Through;

    public static Guid IdOf(string studyInstanceUid) => RecordStudyReceived.NameBasedId(ProcessingNamespace, studyInstanceUid);

    public static StudyProcessing Create(StudyProcessingClaimed claimed) =>
        new(claimed.ProcessingId, claimed.StudyInstanceUid, claimed.InstanceCount, claimed.Replica, claimed.LeaseExpiresAt, 0);

    public static StudyProcessing Create(StudyPartReceived received) =>
        new(received.ProcessingId, received.StudyInstanceUid, 0, "", received.RecordedAt, 0,
            [new PendingStudyPart(received.Replica, received.PendingUntil, received.ReceivedThrough)]);

    public static StudyProcessing Apply(StudyPartReceived received, StudyProcessing processing) => processing with
    {
        PendingParts = [.. (processing.PendingParts ?? []).Where(part => part.Replica != received.Replica),
            new PendingStudyPart(received.Replica, received.PendingUntil, received.ReceivedThrough)],
    };

    public static StudyProcessing Apply(StudyPartForwarded forwarded, StudyProcessing processing) => processing with
    {
        PendingParts = [.. (processing.PendingParts ?? []).Where(part => part.Replica != forwarded.Replica)],
        ForwardedParts = forwarded.ForwardedThrough is not { } through ? processing.ForwardedParts
            : [.. (processing.ForwardedParts ?? []).Where(part => part.Replica != forwarded.Replica),
                new ForwardedStudyPart(forwarded.Replica, processing.ForwardedThrough(forwarded.Replica) is { } earlier && earlier > through ? earlier : through)],
    };

    public static StudyProcessing Apply(StudyProcessingClaimed claimed, StudyProcessing processing) => processing with
    {
        ClaimedCount = claimed.InstanceCount,
        Replica = claimed.Replica,
        LeaseExpiresAt = claimed.LeaseExpiresAt,
    };

    public static StudyProcessing Apply(StudyProcessingFinished finished, StudyProcessing processing) =>
        processing with { FinishedCount = Math.Max(processing.FinishedCount, finished.InstanceCount) };
}
