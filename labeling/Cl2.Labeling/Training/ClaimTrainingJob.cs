using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Training;

/// <summary>
/// A worker takes the oldest job that is waiting, or whose last worker's lease ran out. Exactly one of any number of
/// concurrent claimers gets each job. The lease lasts <see cref="LeaseSeconds"/>; each progress report renews it.
/// </summary>
public sealed record ClaimTrainingJob(string Worker, string Device, Guid? ModelId, int? LeaseSeconds)
{
    public const int DefaultLeaseSeconds = 300;
    public const int MaxLeaseSeconds = 24 * 3600;

    /// <returns>The claim, or no events when the job is not free (someone else has it, or it is finished).</returns>
    public static IReadOnlyList<object> Decide(TrainingJob job, ClaimTrainingJob command, string by, DateTimeOffset now)
    {
        var lease = Validate(command);
        if (!job.IsClaimable(now) || (command.ModelId is { } modelId && job.ModelId != modelId))
        {
            return [];
        }
        return [new TrainingClaimed(job.Id, job.Attempt + 1, command.Worker.Trim(), command.Device.Trim(), now + lease, by, now)];
    }

    /// <summary>Refuses a malformed claim even when no job is waiting, so a misconfigured worker hears of it at once.</summary>
    public static TimeSpan Validate(ClaimTrainingJob command)
    {
        if (string.IsNullOrWhiteSpace(command.Worker) || string.IsNullOrWhiteSpace(command.Device))
        {
            throw DomainException.Invalid("A claim names its worker and device (e.g. worker \"train-7\", device \"cuda:0\").");
        }
        return Lease(command.LeaseSeconds);
    }

    public static TimeSpan Lease(int? seconds) => seconds switch
    {
        null => TimeSpan.FromSeconds(DefaultLeaseSeconds),
        >= 1 and <= MaxLeaseSeconds => TimeSpan.FromSeconds(seconds.Value),
        _ => throw DomainException.Invalid($"leaseSeconds is 1 to {MaxLeaseSeconds}."),
    };

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<TrainingJobGraphType, TrainingJob>("claimTrainingJob")
        .Description("The job this worker now holds, or null when no job is waiting. Resume from lastCheckpointDigest when it is set.")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<ClaimTrainingJobInputType>>("input")
        .ResolveAsync(context =>
        {
            var command = context.GetArgument<ClaimTrainingJob>("input");
            var by = context.Actor();
            Validate(command);
            return StreamDecision.ClaimFirstAsync(
                context.Store(),
                async (session, cancellationToken) =>
                {
                    var now = context.Now();
                    var waiting = session.Query<TrainingJob>().Where(job => job.Status == TrainingStatus.Requested
                        || (job.Status == TrainingStatus.Running && job.LeaseExpiresAt <= now && job.CancellationRequestedAt == null));
                    if (command.ModelId is { } modelId)
                    {
                        waiting = waiting.Where(job => job.ModelId == modelId);
                    }
                    return await waiting.OrderBy(job => job.RequestedAt).ThenBy(job => job.Id).Take(20).ToListAsync(cancellationToken);
                },
                job => (job.Id, job.Version),
                job => Decide(job, command, by, context.Now()),
                context.CancellationToken);
        });
}

public sealed class ClaimTrainingJobInputType : AutoRegisteringInputObjectGraphType<ClaimTrainingJob>
{
    public ClaimTrainingJobInputType() => Name = "ClaimTrainingJobInput";
}
