using Cl2.Labeling.Cases;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>Inference's DICOM listener received a complete study (after its quiet period) from a PACS or scanner.</summary>
public sealed record RecordStudyReceived(string StudyInstanceUid, string CallingAeTitle, int InstanceCount)
{
    public static StudyReceived Decide(RecordStudyReceived command, Guid receiptId, string by, DateTimeOffset now)
    {
        if (!AddCases.IsUid(command.StudyInstanceUid))
        {
            throw DomainException.Invalid($"'{command.StudyInstanceUid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        // PS3.5 6.2: an AE title is 1 to 16 characters, leading and trailing spaces not significant.
        var aeTitle = command.CallingAeTitle.Trim();
        if (aeTitle.Length is 0 or > 16)
        {
            throw DomainException.Invalid("callingAeTitle is 1 to 16 characters (PS3.5 AE).");
        }
        if (command.InstanceCount < 1)
        {
            throw DomainException.Invalid("instanceCount is at least 1.");
        }
        return new StudyReceived(receiptId, command.StudyInstanceUid, aeTitle, command.InstanceCount, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ReceivedStudyGraphType>, ReceivedStudy>("recordStudyReceived")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyReceivedInputType>>("input")
        .ResolveAsync(async context =>
        {
            var received = Decide(context.GetArgument<RecordStudyReceived>("input"), Guid.CreateVersion7(), context.Actor(), context.Now());
            await using var session = context.Store().LightweightSession();
            session.Events.StartStream<ReceivedStudy>(received.ReceiptId, received);
            await session.SaveChangesAsync(context.CancellationToken);
            return ReceivedStudy.Create(received) with { Version = 1 };
        });
}

public sealed class RecordStudyReceivedInputType : AutoRegisteringInputObjectGraphType<RecordStudyReceived>
{
    public RecordStudyReceivedInputType() => Name = "RecordStudyReceivedInput";
}
