using Marten.Schema;

namespace Cl2.Labeling.Inference;

// Inference forwards every received study to labeling (archive, then recordStudyReceived). A study labeling keeps refusing
// stops being tried after Inference:Forwarding:MaxStudyAttempts refusals: it is stuck until an admin asks for another try.
// These facts make that visible here, where people look, though the study may never have been recorded as received.

/// <summary>Inference gave up forwarding a study after <see cref="Attempts"/> refusals; <see cref="Reason"/> is the last one.</summary>
public sealed record StudyForwardingStuck(
    Guid ForwardingId,
    string StudyInstanceUid,
    string CallingAeTitle,
    int Attempts,
    string Reason,
    string ReportedBy,
    DateTimeOffset StuckAt);

/// <summary>A stuck study is tried again (an admin asked for it) or went through.</summary>
public sealed record StudyForwardingResumed(Guid ForwardingId, string StudyInstanceUid, string ResumedBy, DateTimeOffset ResumedAt);

/// <summary>A study's forwarding from inference, as far as it was ever stuck (inline snapshot): one per study.</summary>
public sealed record StudyForwarding(
    Guid Id,
    string StudyInstanceUid,
    string CallingAeTitle,
    bool IsStuck,
    int Attempts,
    string Reason,
    DateTimeOffset StuckAt,
    DateTimeOffset? ResumedAt)
{
    /// <summary>RFC 9562 name-based (v5) ids of Study Instance UIDs for this stream live here (a random v4, fixed forever).</summary>
    private static readonly Guid ForwardingNamespace = new("b3d5e1a4-7c2f-4e89-a6d0-91f4c3b8e257");

    [Version]
    public long Version { get; set; }

    /// <summary>The stream of a study's forwarding: the same for every report of that study.</summary>
    public static Guid IdOf(string studyInstanceUid) => RecordStudyReceived.NameBasedId(ForwardingNamespace, studyInstanceUid);

    public static StudyForwarding Create(StudyForwardingStuck stuck) =>
        new(stuck.ForwardingId, stuck.StudyInstanceUid, stuck.CallingAeTitle, true, stuck.Attempts, stuck.Reason, stuck.StuckAt, null);

    public static StudyForwarding Apply(StudyForwardingStuck stuck, StudyForwarding forwarding) => forwarding with
    {
        CallingAeTitle = stuck.CallingAeTitle,
        IsStuck = true,
        Attempts = stuck.Attempts,
        Reason = stuck.Reason,
        StuckAt = stuck.StuckAt,
        ResumedAt = null,
    };

    public static StudyForwarding Apply(StudyForwardingResumed resumed, StudyForwarding forwarding) =>
        forwarding with { IsStuck = false, ResumedAt = resumed.ResumedAt };
}
