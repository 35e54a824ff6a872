using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Training;

/// <summary>
/// The holder of a job reports an epoch (and the checkpoint it saved, if any); the report renews its lease.
/// <see cref="Attempt"/> is the attempt its claim returned: a worker whose job was reclaimed gets TRAINING_LEASE_LOST.
/// </summary>
public sealed record ReportTrainingProgress(
    Guid JobId,
    int Attempt,
    int Epoch,
    double Loss,
    IReadOnlyList<Metric>? Metrics,
    string? CheckpointDigest,
    int? LeaseSeconds)
{
    public static TrainingProgressed Decide(TrainingJob? job, ReportTrainingProgress command, string by, DateTimeOffset now)
    {
        RequireHolder(job, command.JobId, command.Attempt);
        if (command.Epoch < 0 || !double.IsFinite(command.Loss))
        {
            throw DomainException.Invalid("epoch is 0 or more and loss is a finite number.");
        }
        var checkpoint = command.CheckpointDigest is { } digest ? BlobReference.Require(digest, "checkpointDigest").ToString() : null;
        var metrics = command.Metrics ?? [];
        if (metrics.Any(metric => string.IsNullOrWhiteSpace(metric.Name) || !double.IsFinite(metric.Value)))
        {
            throw DomainException.Invalid("Each metric needs a name and a finite value.");
        }
        return new TrainingProgressed(job!.Id, command.Attempt, command.Epoch, command.Loss, metrics, checkpoint,
            now + ClaimTrainingJob.Lease(command.LeaseSeconds), by, now);
    }

    /// <summary>Only the current claim may write to a running job.</summary>
    public static void RequireHolder(TrainingJob? job, Guid jobId, int attempt)
    {
        if (job is null)
        {
            throw DomainException.NotFound(ErrorCodes.TrainingJobNotFound, "Training job", jobId);
        }
        if (job.Status != TrainingStatus.Running)
        {
            throw new DomainException(ErrorCodes.TrainingJobNotRunning, $"Training job {job.Id} is {job.Status}, not running: claim a job first.");
        }
        if (job.Attempt != attempt)
        {
            throw new DomainException(ErrorCodes.TrainingLeaseLost,
                $"Training job {job.Id} was claimed again (attempt {job.Attempt}) after your lease (attempt {attempt}) ran out: stop, and claim another job.")
            {
                Details = new Dictionary<string, object?> { ["currentAttempt"] = job.Attempt },
            };
        }
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<TrainingJobGraphType>, TrainingJob>("reportTrainingProgress")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<ReportTrainingProgressInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ReportTrainingProgress>("input");
            return (await StreamDecision.DecideAsync<TrainingJob>(context.Store(), command.JobId,
                job => [Decide(job, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class ReportTrainingProgressInputType : AutoRegisteringInputObjectGraphType<ReportTrainingProgress>
{
    public ReportTrainingProgressInputType() => Name = "ReportTrainingProgressInput";
}
