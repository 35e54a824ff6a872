using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// The replica that recorded a part of a study pending (<see cref="RecordStudyPartReceived"/>) forwarded it to the archive:
/// the study's claim no longer waits for it. Said when nothing of the replica is pending, it changes nothing.
/// <see cref="ForwardedThrough"/> says which instances it covers (when the newest forwarded arrived at the replica): a forward
/// older than the newest instance the replica reported received leaves the part pending, and a later report of instances
/// it covers does not put the part back (<see cref="RecordStudyPartReceived"/>).
/// </summary>
public sealed record RecordStudyPartForwarded(string StudyInstanceUid, string Replica, DateTimeOffset? ForwardedThrough = null)
{
    public static IReadOnlyList<object> Decide(StudyProcessing? current, RecordStudyPartForwarded command, string by, DateTimeOffset now)
    {
        var replica = ClaimStudyProcessing.ValidStudyAndReplica(command.StudyInstanceUid, command.Replica);
        if (current?.PendingPartOf(replica) is not { } part
            || (part.ReceivedThrough is { } received && command.ForwardedThrough is { } forwarded && forwarded < received))
        {
            return [];
        }
        return [new StudyPartForwarded(current.Id, current.StudyInstanceUid, replica, by, now, command.ForwardedThrough)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<BooleanGraphType>, bool>("recordStudyPartForwarded")
        .Description("The replica forwarded every instance of the study it held to the archive; true (also when nothing of it was pending).")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyPartForwardedInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordStudyPartForwarded>("input");
            var (by, now) = (context.Actor(), context.Now());
            await StreamDecision.DecideAsync<StudyProcessing>(context.Store(), StudyProcessing.IdOf(command.StudyInstanceUid),
                current => Decide(current, command, by, now), context.CancellationToken);
            return true;
        });
}

public sealed class RecordStudyPartForwardedInputType : AutoRegisteringInputObjectGraphType<RecordStudyPartForwarded>
{
    public RecordStudyPartForwardedInputType() => Name = "RecordStudyPartForwardedInput";
}
