using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Training;

/// <summary>
/// Puts a cancelled job back in the queue with its recipe, base and dataset: the next worker to claim it gets
/// lastCheckpointDigest and resumes where the cancelled attempt stopped (weights, optimizer state, epoch and step).
/// </summary>
public sealed record ResumeTrainingJob(Guid JobId)
{
    public static TrainingResumed Decide(TrainingJob? job, ResumeTrainingJob command, string by, DateTimeOffset now)
    {
        if (job is null)
        {
            throw DomainException.NotFound(ErrorCodes.TrainingJobNotFound, "Training job", command.JobId);
        }
        return job.Status == TrainingStatus.Cancelled
            ? new TrainingResumed(job.Id, by, now)
            : throw new DomainException(ErrorCodes.TrainingJobNotCancelled,
                $"Training job {job.Id} is {job.Status.ToString().ToUpperInvariant()}; only a cancelled job can be resumed.");
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<TrainingJobGraphType>, TrainingJob>("resumeTrainingJob")
        .Description("Queues a cancelled job again; the worker that claims it resumes from its last checkpoint.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<ResumeTrainingJobInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ResumeTrainingJob>("input");
            return (await StreamDecision.DecideAsync<TrainingJob>(context.Store(), command.JobId,
                job => [Decide(job, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class ResumeTrainingJobInputType : AutoRegisteringInputObjectGraphType<ResumeTrainingJob>
{
    public ResumeTrainingJobInputType() => Name = "ResumeTrainingJobInput";
}
