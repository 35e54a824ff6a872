namespace Cl2.ServiceDefaults.Audit;

/// <summary>
/// One access to patient data, or one change, as DICOM PS3.15 A.5 (after RFC 3881) shapes an audit message: the event
/// (<see cref="EventId"/>, <see cref="Action"/>, <see cref="At"/>, <see cref="Outcome"/>), the active participants (the
/// requestor and the cl2 service that answered, each with user id and network access point) and the participant objects
/// (patients, studies, queries). <see cref="UserId"/>, <see cref="SourceAddress"/> and <see cref="StudyInstanceUids"/>
/// repeat what the participants and objects say, so "who accessed study X" and "what did user U access" are indexed
/// lookups. Written by <see cref="AuditTrail"/>; exported as DICOM audit XML by labeling.
/// </summary>
public sealed record AuditRecord
{
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>EventDateTime.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>EventID (a DCM code: <see cref="AuditEvents"/>).</summary>
    public required AuditCode EventId { get; init; }

    /// <summary>EventTypeCode, where the event ID needs one (a security alert's kind).</summary>
    public AuditCode? EventType { get; init; }

    /// <summary>EventActionCode: C create, R read, U update, D delete, E execute (<see cref="AuditActions"/>).</summary>
    public required string Action { get; init; }

    /// <summary>EventOutcomeIndicator: 0 success, 4 minor failure (refused: 401, 403, a rejected association), 8 serious
    /// failure (the service failed), 12 major failure (<see cref="AuditOutcomes"/>).</summary>
    public required int Outcome { get; init; }

    /// <summary>EventOutcomeDescription: the HTTP status or DIMSE status, and why it was refused.</summary>
    public string OutcomeDescription { get; init; } = "";

    /// <summary>AuditSourceID: the cl2 service that answered (labeling, inference).</summary>
    public required string Service { get; init; }

    /// <summary>What was asked, in the protocol's words: <c>GET /dicomweb/studies/1.2.3</c>, <c>mutation submitLabel</c>, <c>C-FIND STUDY</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The requestor's user id: a user or client name, a calling AE title, or <c>anonymous</c>.</summary>
    public required string UserId { get; init; }

    /// <summary>The requestor's network access point (an IP address), empty when unknown.</summary>
    public string SourceAddress { get; init; } = "";

    public IReadOnlyList<AuditParticipant> Participants { get; init; } = [];

    public IReadOnlyList<AuditObject> Objects { get; init; } = [];

    /// <summary>The studies among <see cref="Objects"/>.</summary>
    public IReadOnlyList<string> StudyInstanceUids { get; init; } = [];
}

/// <summary>A coded value (code, coding scheme designator, code meaning).</summary>
public sealed record AuditCode(string Code, string Scheme, string Meaning);

/// <summary>ActiveParticipant: UserID, AlternativeUserID (a DICOM peer's <c>AETITLES=…</c>), UserIsRequestor, RoleIDCode
/// (cl2's roles), NetworkAccessPointID and its type (1 machine name, 2 IP address).</summary>
public sealed record AuditParticipant(string UserId, string? AlternativeUserId, bool IsRequestor, IReadOnlyList<string> Roles,
    string NetworkAccessPoint, int NetworkAccessPointType);

/// <summary>ParticipantObjectIdentification: type (1 person, 2 system object), role (1 patient, 3 report, 24 query, …), ID
/// type, ID, and for a query its text (ParticipantObjectQuery).</summary>
public sealed record AuditObject(int Type, int Role, AuditCode IdType, string Id, string? Query = null);
