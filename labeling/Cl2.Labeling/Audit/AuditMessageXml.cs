using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Labeling.Audit;

/// <summary>
/// An audit record as the XML audit message of DICOM PS3.15 A.5.1 (after RFC 3881), the form a hospital's audit
/// repository takes (IHE ATNA, over syslog): EventIdentification (EventID, EventTypeCode, EventActionCode, EventDateTime,
/// EventOutcomeIndicator, EventOutcomeDescription), one ActiveParticipant per participant (the requestor, then the cl2
/// service), AuditSourceIdentification, and one ParticipantObjectIdentification per patient, study, query or record.
/// Element order follows the schema (it is a sequence); coded values carry <c>csd-code</c>, <c>codeSystemName</c> and
/// <c>originalText</c> (the code meaning), as A.5.1 names them.
/// </summary>
public static class AuditMessageXml
{
    /// <summary>AuditSourceTypeCode 4: an application server process (A.5.1.2.1).</summary>
    private const string ApplicationServer = "4";

    public static string Write(AuditRecord record)
    {
        var message = new XElement("AuditMessage",
            EventIdentification(record),
            record.Participants.Select(ActiveParticipant),
            new XElement("AuditSourceIdentification",
                new XAttribute("AuditSourceID", Text($"cl2-{record.Service}")),
                new XElement("AuditSourceTypeCode", new XAttribute("csd-code", ApplicationServer))),
            record.Objects.Select(ParticipantObject));
        return message.ToString(SaveOptions.DisableFormatting);
    }

    private static XElement EventIdentification(AuditRecord record) => new("EventIdentification",
        new XAttribute("EventActionCode", record.Action),
        new XAttribute("EventDateTime", record.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)),
        new XAttribute("EventOutcomeIndicator", record.Outcome.ToString(CultureInfo.InvariantCulture)),
        Coded("EventID", record.EventId),
        record.EventType is { } type ? Coded("EventTypeCode", type) : null,
        record.OutcomeDescription.Length > 0 ? new XElement("EventOutcomeDescription", Text(record.OutcomeDescription)) : null);

    private static XElement ActiveParticipant(AuditParticipant participant) => new("ActiveParticipant",
        new XAttribute("UserID", Text(participant.UserId)),
        participant.AlternativeUserId is { Length: > 0 } alternative ? new XAttribute("AlternativeUserID", Text(alternative)) : null,
        new XAttribute("UserIsRequestor", participant.IsRequestor ? "true" : "false"),
        participant.NetworkAccessPoint.Length > 0 ? new XAttribute("NetworkAccessPointID", Text(participant.NetworkAccessPoint)) : null,
        participant.NetworkAccessPoint.Length > 0
            ? new XAttribute("NetworkAccessPointTypeCode", participant.NetworkAccessPointType.ToString(CultureInfo.InvariantCulture))
            : null,
        // cl2's roles, in a scheme of its own: A.5.1 lets a site code RoleIDCode from its own terminology.
        participant.Roles.Select(role => Coded("RoleIDCode", new AuditCode(role, "cl2", role))));

    /// <summary>A query carries its text in ParticipantObjectQuery (base64, as the schema asks, so any text survives);
    /// anything else is named by its id in ParticipantObjectName, since the schema needs one of the two.</summary>
    private static XElement ParticipantObject(AuditObject participant) => new("ParticipantObjectIdentification",
        new XAttribute("ParticipantObjectID", Text(participant.Id)),
        new XAttribute("ParticipantObjectTypeCode", participant.Type.ToString(CultureInfo.InvariantCulture)),
        new XAttribute("ParticipantObjectTypeCodeRole", participant.Role.ToString(CultureInfo.InvariantCulture)),
        Coded("ParticipantObjectIDTypeCode", participant.IdType),
        participant.Query is { } query
            ? new XElement("ParticipantObjectQuery", Convert.ToBase64String(Encoding.UTF8.GetBytes(query)))
            : new XElement("ParticipantObjectName", Text(participant.Id)));

    private static XElement Coded(string name, AuditCode code) => new(name,
        new XAttribute("csd-code", Text(code.Code)),
        new XAttribute("codeSystemName", Text(code.Scheme)),
        new XAttribute("originalText", Text(code.Meaning)));

    /// <summary>Text as XML can carry it: a character XML 1.0 forbids (a control character a caller sent) becomes U+FFFD.</summary>
    private static string Text(string value)
    {
        if (value.All(XmlConvert.IsXmlChar))
        {
            return value;
        }
        var text = new StringBuilder(value.Length);
        for (var index = 0; index < value.Length; index++)
        {
            if (index + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[index + 1], value[index]))
            {
                text.Append(value, index++, 2);
            }
            else
            {
                text.Append(XmlConvert.IsXmlChar(value[index]) ? value[index] : '\uFFFD');
            }
        }
        return text.ToString();
    }
}
