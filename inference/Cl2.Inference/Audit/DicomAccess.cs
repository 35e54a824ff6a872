using System.Net;
using Cl2.Dicom;
using Cl2.Inference.Ingest;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Inference.Audit;

/// <summary>
/// Audit records of the DICOM listener: a C-FIND is a Query (with its keys and the studies and patients it answered
/// with), a C-GET or C-MOVE DICOM Instances Transferred (the studies sent), a refused association or service a Security
/// Alert of type Node Authentication, a change of the peer table a Security Alert of type Network Configuration. The
/// requestor is the calling AE title at its address (PS3.15 A.5.2: AlternativeUserID <c>AETITLES=…</c>).
/// </summary>
public static class DicomAccess
{
    public const string Service = "inference";

    public static AuditRecord Caller(string? callingAeTitle, IPAddress? address) => Requestor.Of(null, address?.ToString(), Service,
        callingAeTitle is null ? null : $"AETITLES={callingAeTitle}", callingAeTitle ?? "(no A-ASSOCIATE-RQ)");

    /// <summary>A query or retrieve and what it answered with.</summary>
    public static AuditRecord Served(AuditRecord caller, AuditCode eventId, string action, string operation, string sopClassUid, string keys,
        IEnumerable<StoredInstance> answered, int outcome, string outcomeDescription)
    {
        var matched = answered.ToList();
        var studies = matched.Select(instance => instance.StudyInstanceUid).Distinct(StringComparer.Ordinal).Take(100).ToList();
        var patients = matched.Select(instance => instance.Attribute("PatientID")).OfType<string>().Where(id => id.Length > 0)
            .Distinct(StringComparer.Ordinal).Take(100);
        return caller with
        {
            EventId = eventId,
            Action = action,
            Outcome = outcome,
            OutcomeDescription = outcomeDescription,
            Operation = operation,
            Objects = [AuditObjects.Query(sopClassUid, keys), .. studies.Select(AuditObjects.Study), .. patients.Select(AuditObjects.Patient)],
            StudyInstanceUids = studies,
        };
    }

    /// <summary>The identifier's keys as text: <c>STUDY PatientID=123 StudyDate=2024*</c>.</summary>
    public static string Keys(DicomDataset identifier) =>
        string.Join(' ', identifier.Where(element => element.VR.IsText && element.Tag.Group != 0x0002)
            .Select(element => (element, value: identifier.GetStringOrDefault(element.Tag, "")?.Trim() ?? ""))
            .Where(pair => pair.value.Length > 0)
            .Select(pair => $"{(IndexedAttributes.ByTag.TryGetValue(pair.element.Tag, out var known) ? known.Keyword : pair.element.Tag.ToString())}={pair.value}"));

    public static AuditRecord Refused(string? callingAeTitle, IPAddress? address, string reason) =>
        Caller(callingAeTitle, address) with
        {
            EventId = AuditEvents.SecurityAlert,
            EventType = AuditEvents.NodeAuthentication,
            Action = AuditActions.Execute,
            Outcome = AuditOutcomes.MinorFailure,
            OutcomeDescription = reason,
            Operation = "A-ASSOCIATE",
        };

    public static AuditRecord PeersChanged(IReadOnlyList<string> added, IReadOnlyList<string> removed) =>
        Requestor.Of(null, null, Service, userId: "configuration") with
        {
            EventId = AuditEvents.SecurityAlert,
            EventType = AuditEvents.NetworkConfiguration,
            Action = AuditActions.Update,
            Outcome = AuditOutcomes.Success,
            OutcomeDescription = $"added {added.Count}, removed {removed.Count} (Inference:Listener:Peers)",
            Operation = "DICOM peers changed",
            Objects = [.. added.Select(peer => AuditObjects.Peer("added: " + peer)), .. removed.Select(peer => AuditObjects.Peer("removed: " + peer))],
        };
}
