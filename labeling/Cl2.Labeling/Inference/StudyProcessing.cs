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

/// <summary>Who processes a study, at how many instances, and how far it got (inline snapshot): one per study.</summary>
public sealed record StudyProcessing(
    Guid Id,
    string StudyInstanceUid,
    int ClaimedCount,
    string Replica,
    DateTimeOffset LeaseExpiresAt,
    int FinishedCount)
{
    /// <summary>RFC 9562 name-based (v5) ids of Study Instance UIDs for this stream live here (a random v4, fixed forever).</summary>
    private static readonly Guid ProcessingNamespace = new("5a1e7c3d-92b4-4f06-8d2a-c61e0f4b7a93");

    [Version]
    public long Version { get; set; }

    /// <summary>A claim that is not finished and whose lease has not run out.</summary>
    public bool IsHeld(DateTimeOffset now) => ClaimedCount > FinishedCount && LeaseExpiresAt > now;

    public static Guid IdOf(string studyInstanceUid) => RecordStudyReceived.NameBasedId(ProcessingNamespace, studyInstanceUid);

    public static StudyProcessing Create(StudyProcessingClaimed claimed) =>
        new(claimed.ProcessingId, claimed.StudyInstanceUid, claimed.InstanceCount, claimed.Replica, claimed.LeaseExpiresAt, 0);

    public static StudyProcessing Apply(StudyProcessingClaimed claimed, StudyProcessing processing) => processing with
    {
        ClaimedCount = claimed.InstanceCount,
        Replica = claimed.Replica,
        LeaseExpiresAt = claimed.LeaseExpiresAt,
    };

    public static StudyProcessing Apply(StudyProcessingFinished finished, StudyProcessing processing) =>
        processing with { FinishedCount = Math.Max(processing.FinishedCount, finished.InstanceCount) };
}
