using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// Inference reports a study it stopped forwarding: labeling refused it <see cref="Attempts"/> times in a row
/// (Inference:Forwarding:MaxStudyAttempts), the last time for <see cref="Reason"/>. Inference reports at least once, so the
/// same report may come again and then changes nothing.
/// </summary>
public sealed record RecordStudyForwardingStuck(string StudyInstanceUid, string CallingAeTitle, int Attempts, string Reason)
{
    /// <summary>Longest reason kept; a longer one is cut (it is a log line's worth, not a document).</summary>
    public const int MaxReasonLength = 2000;

    public static IReadOnlyList<object> Decide(StudyForwarding? current, RecordStudyForwardingStuck command, string by, DateTimeOffset now)
    {
        // Not checked as a DICOM UID: a UID labeling's archive refuses is one way a study gets stuck, and it must show.
        var study = command.StudyInstanceUid.Trim();
        if (study.Length is 0 or > 256)
        {
            throw DomainException.Invalid("studyInstanceUid is 1 to 256 characters.");
        }
        var aeTitle = RecordStudyReceived.AeTitle(command.CallingAeTitle);
        if (command.Attempts < 1)
        {
            throw DomainException.Invalid("attempts is at least 1.");
        }
        var reason = command.Reason.Trim();
        if (reason.Length == 0)
        {
            throw DomainException.Invalid("reason says why labeling refused the study (the last refusal).");
        }
        if (current is { IsStuck: true } && current.Attempts == command.Attempts)
        {
            return [];
        }
        return [new StudyForwardingStuck(StudyForwarding.IdOf(study), study, aeTitle, command.Attempts,
            reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason, by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<StudyForwardingGraphType>, StudyForwarding>("recordStudyForwardingStuck")
        .Description("Inference stopped forwarding a study labeling kept refusing; stuckStudies lists it until recordStudyForwardingResumed.")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordStudyForwardingStuckInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordStudyForwardingStuck>("input");
            var (by, now) = (context.Actor(), context.Now());
            return (await StreamDecision.DecideAsync<StudyForwarding>(context.Store(), StudyForwarding.IdOf(command.StudyInstanceUid.Trim()),
                current => Decide(current, command, by, now), context.CancellationToken))!;
        });
}

public sealed class RecordStudyForwardingStuckInputType : AutoRegisteringInputObjectGraphType<RecordStudyForwardingStuck>
{
    public RecordStudyForwardingStuckInputType() => Name = "RecordStudyForwardingStuckInput";
}
