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
/// </summary>
public sealed record RecordStudyPartReceived(string StudyInstanceUid, string Replica, int PendingSeconds)
{
    public static IReadOnlyList<object> Decide(RecordStudyPartReceived command, string by, DateTimeOffset now)
    {
        var replica = ClaimStudyProcessing.ValidStudyAndReplica(command.StudyInstanceUid, command.Replica);
        if (command.PendingSeconds is < 1 or > ClaimStudyProcessing.MaxSeconds)
        {
            throw DomainException.Invalid($"pendingSeconds is 1 to {ClaimStudyProcessing.MaxSeconds}.");
        }
        return [new StudyPartReceived(StudyProcessing.IdOf(command.StudyInstanceUid), command.StudyInstanceUid, replica,
            now + TimeSpan.FromSeconds(command.PendingSeconds), by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("recordStudyPartReceived")
        .Description("An inference replica holds instances of a study that are not in the archive yet; nobody else claims the study until they are " +
            "or the wait runs out. Answers when the wait runs out unless renewed.")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyPartReceivedInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordStudyPartReceived>("input");
            var (by, now) = (context.Actor(), context.Now());
            var events = Decide(command, by, now);
            await StreamDecision.DecideAsync<StudyProcessing>(context.Store(), StudyProcessing.IdOf(command.StudyInstanceUid), _ => events,
                context.CancellationToken);
            return ((StudyPartReceived)events[0]).PendingUntil;
        });
}

public sealed class RecordStudyPartReceivedInputType : AutoRegisteringInputObjectGraphType<RecordStudyPartReceived>
{
    public RecordStudyPartReceivedInputType() => Name = "RecordStudyPartReceivedInput";
}
