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
/// died and did not come back). Recorded again it renews the wait.
/// </summary>
public sealed record StudyPartReceived(
    Guid ProcessingId,
    string StudyInstanceUid,
    string Replica,
    DateTimeOffset PendingUntil,
    string RecordedBy,
    DateTimeOffset RecordedAt);

/// <summary><see cref="Replica"/> forwarded every instance of the study it held to the archive: its part no longer waits.</summary>
public sealed record StudyPartForwarded(
    Guid ProcessingId,
    string StudyInstanceUid,
    string Replica,
    string RecordedBy,
    DateTimeOffset RecordedAt);

/// <summary>A replica's part of a study that is acknowledged but not in the archive yet, waited for until <see cref="Until"/>.</summary>
public sealed record PendingStudyPart(string Replica, DateTimeOffset Until);

/// <summary>Who processes a study, at how many instances, how far it got, and which replicas still hold parts of it that
/// the archive lacks (inline snapshot): one per study. A stream that began with a pending part has no claim yet
/// (<see cref="ClaimedCount"/> 0, <see cref="Replica"/> empty).</summary>
public sealed record StudyProcessing(
    Guid Id,
    string StudyInstanceUid,
    int ClaimedCount,
    string Replica,
    DateTimeOffset LeaseExpiresAt,
    int FinishedCount,
    IReadOnlyList<PendingStudyPart>? PendingParts = null)
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

    public static Guid IdOf(string studyInstanceUid) => RecordStudyReceived.NameBasedId(ProcessingNamespace, studyInstanceUid);

    public static StudyProcessing Create(StudyProcessingClaimed claimed) =>
        new(claimed.ProcessingId, claimed.StudyInstanceUid, claimed.InstanceCount, claimed.Replica, claimed.LeaseExpiresAt, 0);

    public static StudyProcessing Create(StudyPartReceived received) =>
        new(received.ProcessingId, received.StudyInstanceUid, 0, "", received.RecordedAt, 0, [new PendingStudyPart(received.Replica, received.PendingUntil)]);

    public static StudyProcessing Apply(StudyPartReceived received, StudyProcessing processing) => processing with
    {
        PendingParts = [.. (processing.PendingParts ?? []).Where(part => part.Replica != received.Replica), new PendingStudyPart(received.Replica, received.PendingUntil)],
    };

    public static StudyProcessing Apply(StudyPartForwarded forwarded, StudyProcessing processing) => processing with
    {
        PendingParts = [.. (processing.PendingParts ?? []).Where(part => part.Replica != forwarded.Replica)],
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
