using System.Security.Cryptography;
using System.Text;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten.Exceptions;

namespace Cl2.Labeling.Inference;

/// <summary>
/// Inference's DICOM listener received a study (after its quiet period) from a PACS or scanner; <see cref="InstanceCount"/>
/// is how many instances of it inference holds now. Inference forwards at least once, so the same report may come again:
/// one study is one stream (its id derives from the Study Instance UID), the first report is the <see cref="StudyReceived"/>
/// fact, a report of more instances is a <see cref="StudyReceiptUpdated"/>, and a report of no more instances changes nothing.
/// </summary>
public sealed record RecordStudyReceived(string StudyInstanceUid, string CallingAeTitle, int InstanceCount)
{
    /// <summary>RFC 9562 name-based (v5) UUIDs of Study Instance UIDs live in this namespace (a random v4, fixed forever).</summary>
    private static readonly Guid ReceiptNamespace = new("6f0c2a7e-3b61-4d2c-9a51-2f8e0b9c4d17");

    public static IReadOnlyList<object> Decide(ReceivedStudy? current, RecordStudyReceived command, string by, DateTimeOffset now)
    {
        if (!AddCases.IsUid(command.StudyInstanceUid))
        {
            throw DomainException.Invalid($"'{command.StudyInstanceUid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        var aeTitle = AeTitle(command.CallingAeTitle);
        if (command.InstanceCount < 1)
        {
            throw DomainException.Invalid("instanceCount is at least 1.");
        }
        if (current is null)
        {
            return [new StudyReceived(ReceiptId(command.StudyInstanceUid), command.StudyInstanceUid, aeTitle, command.InstanceCount, by, now)];
        }
        // A retry of a report already recorded, or an older report arriving late: the fact stands as it is.
        return command.InstanceCount <= current.InstanceCount
            ? []
            : [new StudyReceiptUpdated(current.Id, command.StudyInstanceUid, command.InstanceCount, by, now)];
    }

    /// <summary>PS3.5 6.2: an AE title is 1 to 16 characters, leading and trailing spaces not significant.</summary>
    internal static string AeTitle(string callingAeTitle)
    {
        var aeTitle = callingAeTitle.Trim();
        return aeTitle.Length is 0 or > 16 ? throw DomainException.Invalid("callingAeTitle is 1 to 16 characters (PS3.5 AE).") : aeTitle;
    }

    /// <summary>The stream of a study's receipt: the same for every report of that study, so retries meet on one stream.</summary>
    public static Guid ReceiptId(string studyInstanceUid) => NameBasedId(ReceiptNamespace, studyInstanceUid);

    /// <summary>An RFC 9562 name-based (v5) UUID: the same name in the same namespace always gives the same id.</summary>
    internal static Guid NameBasedId(Guid nameSpace, string name)
    {
        Span<byte> prefix = stackalloc byte[16];
        nameSpace.TryWriteBytes(prefix, bigEndian: true, out _);
        var hash = SHA1.HashData([.. prefix, .. Encoding.ASCII.GetBytes(name)]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ReceivedStudyGraphType>, ReceivedStudy>("recordStudyReceived")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyReceivedInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordStudyReceived>("input");
            var (by, now) = (context.Actor(), context.Now());
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return (await StreamDecision.DecideAsync<ReceivedStudy>(context.Store(), ReceiptId(command.StudyInstanceUid),
                        current => Decide(current, command, by, now), context.CancellationToken))!;
                }
                catch (ExistingStreamIdCollisionException) when (attempt < 3)
                {
                    // Two first reports of one study raced to start its stream; the loser decides again on the winner's fact.
                }
            }
        });
}

public sealed class RecordStudyReceivedInputType : AutoRegisteringInputObjectGraphType<RecordStudyReceived>
{
    public RecordStudyReceivedInputType() => Name = "RecordStudyReceivedInput";
}
