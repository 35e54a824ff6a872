using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// An inference replica acknowledged instances of a study that are not in the archive yet: until it says they are
/// (<see cref="RecordStudyPartForwarded"/>) or <see cref="PendingSeconds"/> pass without its saying this again, no other
/// replica is given the study (<see cref="ClaimStudyProcessing"/>), so a part that waits on one replica (it is slow to
/// forward, or it died and is restarting) is not left out of the study's one run. Said again, it renews the wait.
/// <see cref="ReceivedThrough"/> says which instances the report covers (when the newest arrived at the replica): a report
/// that the replica's own <see cref="RecordStudyPartForwarded"/> already covers is older news and changes nothing.
/// </summary>
public sealed record RecordStudyPartReceived(string StudyInstanceUid, string Replica, int PendingSeconds, DateTimeOffset? ReceivedThrough = null)
{
    public static IReadOnlyList<object> Decide(StudyProcessing? current, RecordStudyPartReceived command, string by, DateTimeOffset now)
    {
        var replica = ClaimStudyProcessing.ValidStudyAndReplica(command.StudyInstanceUid, command.Replica);
        if (command.PendingSeconds is < 1 or > ClaimStudyProcessing.MaxSeconds)
        {
            throw DomainException.Invalid($"pendingSeconds is 1 to {ClaimStudyProcessing.MaxSeconds}.");
        }
        // Nothing newer than the replica's last forward: the report crossed that forward on its way (or was read from a view
        // older than it), and putting the part back would hold the study up for a whole wait after the replica is gone.
        if (command.ReceivedThrough is { } through && current?.ForwardedThrough(replica) >= through)
        {
            return [];
        }
        return [new StudyPartReceived(StudyProcessing.IdOf(command.StudyInstanceUid), command.StudyInstanceUid, replica,
            now + TimeSpan.FromSeconds(command.PendingSeconds), by, now, command.ReceivedThrough)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("recordStudyPartReceived")
        .Description("An inference replica holds instances of a study that are not in the archive yet; nobody else claims the study until they are " +
            "or the wait runs out. Answers when the wait runs out unless renewed (now, when the replica's forward already covers receivedThrough).")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyPartReceivedInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordStudyPartReceived>("input");
            var (by, now) = (context.Actor(), context.Now());
            var decided = await StreamDecision.DecideAsync<StudyProcessing>(context.Store(), StudyProcessing.IdOf(command.StudyInstanceUid),
                current => Decide(current, command, by, now), context.CancellationToken);
            return decided?.PendingPartOf(command.Replica.Trim()) is { } part && part.Until > now ? part.Until : now;
        });
}

public sealed class RecordStudyPartReceivedInputType : AutoRegisteringInputObjectGraphType<RecordStudyPartReceived>
{
    public RecordStudyPartReceivedInputType() => Name = "RecordStudyPartReceivedInput";
}
