using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Training;

/// <summary>
/// An ML engineer stops a job. A job nobody holds (waiting, or running with its lease run out: its worker is gone) is
/// cancelled at once. A running job gets the request: its worker hears it within
/// <c>Training:Jobs:CancellationPollInterval</c>, stops at its next step, uploads the checkpoint of that step and
/// completes the job CANCELLED (<see cref="CompleteTrainingJob"/>). A finished job cannot be cancelled.
/// <see cref="ResumeTrainingJob"/> puts a cancelled job back in the queue. The reason is optional, and bounded as a
/// promotion's is (<see cref="StatedReason"/>: REASON_TOO_LONG).
/// </summary>
public sealed record CancelTrainingJob(Guid JobId, string? Reason)
{
    public static object Decide(TrainingJob? job, CancelTrainingJob command, string by, DateTimeOffset now)
    {
        if (job is null)
        {
            throw DomainException.NotFound(ErrorCodes.TrainingJobNotFound, "Training job", command.JobId);
        }
        var reason = StatedReason.Of(command.Reason);
        return job.Status switch
        {
            TrainingStatus.Requested => new TrainingCancelled(job.Id, job.Attempt, null, reason, by, now),
            TrainingStatus.Running when job.LeaseExpiresAt <= now => new TrainingCancelled(job.Id, job.Attempt, null, reason, by, now),
            TrainingStatus.Running => new TrainingCancellationRequested(job.Id, job.Attempt, reason, by, now),
            _ => throw new DomainException(ErrorCodes.TrainingJobFinished,
                $"Training job {job.Id} is {job.Status.ToString().ToUpperInvariant()}: there is nothing to cancel."),
        };
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<TrainingJobGraphType>, TrainingJob>("cancelTrainingJob")
        .Description("Stops a job: a waiting one at once; a running one at its worker's next step, which keeps its checkpoint and " +
            "reports it CANCELLED (watch status). resumeTrainingJob continues it later from that checkpoint.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<CancelTrainingJobInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<CancelTrainingJob>("input");
            return (await StreamDecision.DecideAsync<TrainingJob>(context.Store(), command.JobId,
                job => [Decide(job, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class CancelTrainingJobInputType : AutoRegisteringInputObjectGraphType<CancelTrainingJob>
{
    public CancelTrainingJobInputType() => Name = "CancelTrainingJobInput";
}
