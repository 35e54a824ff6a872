using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Training;

public enum TrainingOutcome
{
    Succeeded,
    Failed,

    /// <summary>Only after cancelTrainingJob asked; give the checkpoint the job stopped at.</summary>
    Cancelled,
}

/// <summary>
/// The holder of a job finishes it: succeeded (with the version it registered, if any), failed (with a reason a
/// person can act on), or cancelled when someone asked it to stop (with the checkpoint it stopped at).
/// </summary>
public sealed record CompleteTrainingJob(Guid JobId, int Attempt, TrainingOutcome Outcome, Guid? VersionId, string? FailureReason,
    string? CheckpointDigest = null)
{
    public const int MaxReasonLength = 4000;

    /// <param name="version">The version named by <see cref="VersionId"/>, when it exists.</param>
    public static object Decide(TrainingJob? job, ModelVersion? version, CompleteTrainingJob command, string by, DateTimeOffset now)
    {
        ReportTrainingProgress.RequireHolder(job, command.JobId, command.Attempt);
        if (command.Outcome == TrainingOutcome.Failed)
        {
            var reason = command.FailureReason?.Trim() ?? "";
            if (reason.Length is 0 or > MaxReasonLength)
            {
                throw DomainException.Invalid($"A failed job says why in failureReason (1 to {MaxReasonLength} characters).");
            }
            return new TrainingFailed(job!.Id, command.Attempt, reason, by, now);
        }
        if (command.Outcome == TrainingOutcome.Cancelled)
        {
            if (job!.CancellationRequestedAt is null)
            {
                throw DomainException.Invalid($"Training job {job.Id} was not asked to stop (cancelTrainingJob): complete it SUCCEEDED or FAILED.");
            }
            var checkpoint = command.CheckpointDigest is { } digest ? BlobReference.Require(digest, "checkpointDigest").ToString() : null;
            return new TrainingCancelled(job.Id, command.Attempt, checkpoint, null, by, now);
        }
        if (command.VersionId is { } versionId && (version is null || version.ModelId != job!.ModelId))
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, $"Model version of model {job!.ModelId}", versionId);
        }
        return new TrainingSucceeded(job!.Id, command.Attempt, command.VersionId, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<TrainingJobGraphType>, TrainingJob>("completeTrainingJob")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<CompleteTrainingJobInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<CompleteTrainingJob>("input");
            ModelVersion? version = null;
            if (command.VersionId is { } versionId)
            {
                await using var query = context.Store().QuerySession();
                version = await ModelQueries.FindVersionAsync(query, versionId, context.CancellationToken);
            }
            return (await StreamDecision.DecideAsync<TrainingJob>(context.Store(), command.JobId,
                job => [Decide(job, version, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class TrainingOutcomeGraphType : EnumerationGraphType<TrainingOutcome>
{
    public TrainingOutcomeGraphType() => Name = "TrainingOutcome";
}

public sealed class CompleteTrainingJobInputType : AutoRegisteringInputObjectGraphType<CompleteTrainingJob>
{
    public CompleteTrainingJobInputType() => Name = "CompleteTrainingJobInput";
}
