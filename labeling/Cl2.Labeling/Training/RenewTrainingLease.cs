using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Training;

/// <summary>
/// The holder of a running job extends its lease between progress reports, so reading a large dataset or one long
/// epoch does not let another worker reclaim a job that is still being trained. Only the current attempt may renew:
/// a worker whose lease ran out and was reclaimed gets TRAINING_LEASE_LOST and must stop.
/// </summary>
public sealed record RenewTrainingLease(Guid JobId, int Attempt, int? LeaseSeconds)
{
    public static TrainingLeaseRenewed Decide(TrainingJob? job, RenewTrainingLease command, string by, DateTimeOffset now)
    {
        ReportTrainingProgress.RequireHolder(job, command.JobId, command.Attempt);
        return new TrainingLeaseRenewed(job!.Id, command.Attempt, now + ClaimTrainingJob.Lease(command.LeaseSeconds), by, now);
    }

    // The renewal is kept as an event (an audit needs who held the job when) but is not published on trainingProgress,
    // which carries epochs only.
    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<TrainingJobGraphType>, TrainingJob>("renewTrainingLease")
        .Description("Extends the lease of a job this worker holds (attempt as its claim returned). Send it every third of the lease while the job runs.")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<RenewTrainingLeaseInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RenewTrainingLease>("input");
            return (await StreamDecision.DecideAsync<TrainingJob>(context.Store(), command.JobId,
                job => [Decide(job, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class RenewTrainingLeaseInputType : AutoRegisteringInputObjectGraphType<RenewTrainingLease>
{
    public RenewTrainingLeaseInputType() => Name = "RenewTrainingLeaseInput";
}
