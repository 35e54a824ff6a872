using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// The replica that claimed a study (<see cref="ClaimStudyProcessing"/>) recorded its outcome at
/// <see cref="InstanceCount"/> instances: no replica takes the study again until the archive holds more of it. Said
/// again, it changes nothing; a study nobody claimed cannot be finished.
/// </summary>
public sealed record FinishStudyProcessing(string StudyInstanceUid, string Replica, int InstanceCount)
{
    public static IReadOnlyList<object> Decide(StudyProcessing? current, FinishStudyProcessing command, string by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw new DomainException(ErrorCodes.StudyProcessingNotClaimed,
                $"Study {command.StudyInstanceUid} was never claimed for processing: claim it first (claimStudyProcessing).");
        }
        if (command.InstanceCount < 1)
        {
            throw DomainException.Invalid("instanceCount is at least 1.");
        }
        return current.FinishedCount >= command.InstanceCount
            ? []
            : [new StudyProcessingFinished(current.Id, current.StudyInstanceUid, command.InstanceCount, command.Replica.Trim(), by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<BooleanGraphType>, bool>("finishStudyProcessing")
        .Description("The replica holding a study recorded its outcome; true once the study counts as processed at that instance count.")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<FinishStudyProcessingInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<FinishStudyProcessing>("input");
            var (by, now) = (context.Actor(), context.Now());
            var finished = await StreamDecision.DecideAsync<StudyProcessing>(context.Store(), StudyProcessing.IdOf(command.StudyInstanceUid),
                current => Decide(current, command, by, now), context.CancellationToken);
            return finished!.FinishedCount >= command.InstanceCount;
        });
}

public sealed class FinishStudyProcessingInputType : AutoRegisteringInputObjectGraphType<FinishStudyProcessing>
{
    public FinishStudyProcessingInputType() => Name = "FinishStudyProcessingInput";
}
