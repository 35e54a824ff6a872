using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// Inference tries a stuck study again (an admin asked for it) or forwarded it after all: it is no longer stuck. A report
/// for a study that is not stuck changes nothing (inference reports at least once).
/// </summary>
public sealed record RecordStudyForwardingResumed(string StudyInstanceUid)
{
    public static IReadOnlyList<object> Decide(StudyForwarding? current, string by, DateTimeOffset now) =>
        current is { IsStuck: true } ? [new StudyForwardingResumed(current.Id, current.StudyInstanceUid, by, now)] : [];

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<StudyForwardingGraphType, StudyForwarding?>("recordStudyForwardingResumed")
        .Description("A stuck study is tried again or went through. Null when it was never stuck.")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyForwardingResumedInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordStudyForwardingResumed>("input");
            var (by, now) = (context.Actor(), context.Now());
            return await StreamDecision.DecideAsync<StudyForwarding>(context.Store(), StudyForwarding.IdOf(command.StudyInstanceUid.Trim()),
                current => Decide(current, by, now), context.CancellationToken);
        });
}

public sealed class RecordStudyForwardingResumedInputType : AutoRegisteringInputObjectGraphType<RecordStudyForwardingResumed>
{
    public RecordStudyForwardingResumedInputType() => Name = "RecordStudyForwardingResumedInput";
}
