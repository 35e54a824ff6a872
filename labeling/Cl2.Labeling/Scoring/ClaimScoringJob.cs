using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Training;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Scoring;

/// <summary>
/// A worker takes the oldest scoring job that is waiting, or whose last worker's lease ran out; exactly one of any
/// number of concurrent claimers gets each job (as with training jobs). The lease is as long as a training lease.
/// </summary>
public sealed record ClaimScoringJob(string Worker, int? LeaseSeconds)
{
    /// <returns>The claim, or no events when the job is not free.</returns>
    public static IReadOnlyList<object> Decide(ScoringJob job, ClaimScoringJob command, string by, DateTimeOffset now)
    {
        var lease = Validate(command);
        return job.IsClaimable(now) ? [new ScoringClaimed(job.Id, job.Attempt + 1, command.Worker.Trim(), now + lease, by, now)] : [];
    }

    public static TimeSpan Validate(ClaimScoringJob command) => string.IsNullOrWhiteSpace(command.Worker)
        ? throw DomainException.Invalid("A claim names its worker (e.g. worker \"train-7\").")
        : ClaimTrainingJob.Lease(command.LeaseSeconds);

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<ScoringJobGraphType, ScoringJob>("claimScoringJob")
        .Description("The scoring job this worker now holds, or null when none is waiting.")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<ClaimScoringJobInputType>>("input")
        .ResolveAsync(context =>
        {
            var command = context.GetArgument<ClaimScoringJob>("input");
            var by = context.Actor();
            Validate(command);
            return StreamDecision.ClaimFirstAsync(
                context.Store(),
                async (session, cancellationToken) =>
                {
                    var now = context.Now();
                    return await session.Query<ScoringJob>()
                        .Where(job => job.Status == ScoringStatus.Requested || (job.Status == ScoringStatus.Running && job.LeaseExpiresAt <= now))
                        .OrderBy(job => job.RequestedAt).ThenBy(job => job.Id).Take(20).ToListAsync(cancellationToken);
                },
                job => (job.Id, job.Version),
                job => Decide(job, command, by, context.Now()),
                context.CancellationToken);
        });
}

public sealed class ClaimScoringJobInputType : AutoRegisteringInputObjectGraphType<ClaimScoringJob>
{
    public ClaimScoringJobInputType() => Name = "ClaimScoringJobInput";
}
