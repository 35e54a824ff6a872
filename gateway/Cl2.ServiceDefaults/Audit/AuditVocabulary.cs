namespace Cl2.ServiceDefaults.Audit;

/// <summary>The event IDs cl2 records, from DICOM's DCM coding scheme (PS3.15 A.5.3, PS3.16 CID 400/401).</summary>
public static class AuditEvents
{
    public static readonly AuditCode InstancesAccessed = new("110103", "DCM", "DICOM Instances Accessed");
    public static readonly AuditCode InstancesTransferred = new("110104", "DCM", "DICOM Instances Transferred");
    public static readonly AuditCode PatientRecord = new("110110", "DCM", "Patient Record");
    public static readonly AuditCode Query = new("110112", "DCM", "Query");
    public static readonly AuditCode SecurityAlert = new("110113", "DCM", "Security Alert");

    /// <summary>Security alert types (CID 401).</summary>
    public static readonly AuditCode NodeAuthentication = new("110126", "DCM", "Node Authentication");
    public static readonly AuditCode NetworkConfiguration = new("110128", "DCM", "Network Configuration");
}

/// <summary>EventActionCode values.</summary>
public static class AuditActions
{
    public const string Create = "C";
    public const string Read = "R";
    public const string Update = "U";
    public const string Delete = "D";
    public const string Execute = "E";
}

/// <summary>EventOutcomeIndicator values.</summary>
public static class AuditOutcomes
{
    public const int Success = 0;
    public const int MinorFailure = 4;
    public const int SeriousFailure = 8;
    public const int MajorFailure = 12;

    /// <summary>A refused request (4xx: 401, 403, a bad request) is a minor failure; the service failing (5xx) a serious one.</summary>
    public static int FromHttpStatus(int status) => status switch
    {
        < 400 => Success,
        < 500 => MinorFailure,
        _ => SeriousFailure,
    };
}

/// <summary>Participant objects by what they identify.</summary>
public static class AuditObjects
{
    public static readonly AuditCode StudyInstanceUid = new("110180", "DCM", "Study Instance UID");
    public static readonly AuditCode SopClassUid = new("110181", "DCM", "SOP Class UID");
    public static readonly AuditCode NodeId = new("110182", "DCM", "Node ID");
    public static readonly AuditCode PatientNumber = new("2", "RFC-3881", "Patient Number");

    /// <summary>A study (system object, role Report, ID type Study Instance UID).</summary>
    public static AuditObject Study(string uid) => new(2, 3, StudyInstanceUid, uid);

    /// <summary>A patient (person, role Patient, ID type Patient Number).</summary>
    public static AuditObject Patient(string id) => new(1, 1, PatientNumber, id);

    /// <summary>A query (system object, role Query) against an information model (a SOP class UID, or a DICOMweb path).</summary>
    public static AuditObject Query(string model, string text) => new(2, 24, SopClassUid, model, text);

    /// <summary>One of cl2's own records (a case, a model version) by the argument that named it.</summary>
    public static AuditObject Record(string kind, string id) => new(2, 4, new AuditCode(kind, "cl2", kind), id);

    /// <summary>A DICOM peer (system object, role Security Resource, ID type Node ID).</summary>
    public static AuditObject Peer(string description) => new(2, 13, NodeId, description);
}
