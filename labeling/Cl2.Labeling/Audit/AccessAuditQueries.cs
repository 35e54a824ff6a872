using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using Cl2.ServiceDefaults.Audit;
using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;

namespace Cl2.Labeling.Audit;

/// <summary><c>accessAudit(study:, user:)</c>, for admins: who accessed a study, what a user accessed; newest first, paged.</summary>
public static class AccessAuditQueries
{
    public const string FieldName = "accessAudit";

    public static void AddFields(ObjectGraphType query)
    {
        var field = query.Field<NonNullGraphType<ConnectionType<AccessAuditRecordGraphType>>, Connection<AuditRecord>>(FieldName)
            .Description("The access audit, newest first: every read of patient data and every change, refused attempts too. " +
                "study: who accessed this study; user: what this user (or client, or calling AE) accessed; both narrow to both.")
            .Argument<StringGraphType>("study", argument => argument.Description = "A Study Instance UID.")
            .Argument<StringGraphType>("user", argument => argument.Description = "A user id as the audit records it (a user, a client, an AE title).")
            .AuthorizeWithRoles(Roles.Admin);
        Page.AddArguments(field);
        field.ResolveAsync(async context =>
        {
            var (study, user) = (context.GetArgument<string?>("study"), context.GetArgument<string?>("user"));
            return await context.PageAsync<AuditRecord>(records =>
            {
                var picked = study is null ? records : records.Where(record => record.StudyInstanceUids.Contains(study));
                picked = user is null ? picked : picked.Where(record => record.UserId == user);
                return picked.OrderByDescending(record => record.At).ThenBy(record => record.Id);
            });
        });
    }
}

public sealed class AccessAuditRecordGraphType : ObjectGraphType<AuditRecord>
{
    public AccessAuditRecordGraphType()
    {
        Name = "AccessAuditRecord";
        Description = "One access or change, shaped as a DICOM PS3.15 A.5 audit message.";
        Field(record => record.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(record => record.At).Description("EventDateTime.");
        Field<NonNullGraphType<AuditCodeGraphType>, AuditCode>("eventId").Description("EventID (DCM).").Resolve(context => context.Source.EventId);
        Field<AuditCodeGraphType, AuditCode?>("eventType").Description("EventTypeCode, where the event needs one.").Resolve(context => context.Source.EventType);
        Field(record => record.Action).Description("EventActionCode: C, R, U, D or E.");
        Field(record => record.Outcome).Description("EventOutcomeIndicator: 0 success, 4 minor failure (refused), 8 serious failure, 12 major failure.");
        Field(record => record.OutcomeDescription);
        Field(record => record.Service).Description("The cl2 service that answered.");
        Field(record => record.Operation).Description("What was asked: GET /dicomweb/studies/…, mutation submitLabel, C-FIND STUDY.");
        Field(record => record.UserId).Description("The requestor: a user, a client, a calling AE title, or anonymous.");
        Field(record => record.SourceAddress).Description("The requestor's network address.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("studyInstanceUids")
            .Resolve(context => context.Source.StudyInstanceUids);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AuditParticipantGraphType>>>, IEnumerable<AuditParticipant>>("participants")
            .Description("ActiveParticipant: the requestor and the service.").Resolve(context => context.Source.Participants);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AuditObjectGraphType>>>, IEnumerable<AuditObject>>("objects")
            .Description("ParticipantObjectIdentification: patients, studies, queries, records.").Resolve(context => context.Source.Objects);
        Field<NonNullGraphType<StringGraphType>, string>("auditMessage")
            .Description("The record as a DICOM PS3.15 A.5.1 audit message (XML), as a hospital's audit repository takes it.")
            .Resolve(context => AuditMessageXml.Write(context.Source));
    }
}

public sealed class AuditCodeGraphType : ObjectGraphType<AuditCode>
{
    public AuditCodeGraphType()
    {
        Name = "AuditCode";
        Field(code => code.Code);
        Field(code => code.Scheme).Description("Coding scheme designator (DCM, RFC-3881, cl2).");
        Field(code => code.Meaning);
    }
}

public sealed class AuditParticipantGraphType : ObjectGraphType<AuditParticipant>
{
    public AuditParticipantGraphType()
    {
        Name = "AuditParticipant";
        Field(participant => participant.UserId);
        Field(participant => participant.AlternativeUserId, nullable: true);
        Field(participant => participant.IsRequestor);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("roles").Resolve(context => context.Source.Roles);
        Field(participant => participant.NetworkAccessPoint);
        Field(participant => participant.NetworkAccessPointType).Description("1 machine name, 2 IP address.");
    }
}

public sealed class AuditObjectGraphType : ObjectGraphType<AuditObject>
{
    public AuditObjectGraphType()
    {
        Name = "AuditObject";
        Field(participant => participant.Type).Description("1 person, 2 system object.");
        Field(participant => participant.Role).Description("1 patient, 3 report (a study), 4 domain resource, 13 security resource, 24 query.");
        Field<NonNullGraphType<AuditCodeGraphType>, AuditCode>("idType").Resolve(context => context.Source.IdType);
        Field(participant => participant.Id);
        Field(participant => participant.Query, nullable: true);
    }
}
