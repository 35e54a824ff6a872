using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Training;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Scoring;

/// <summary>The holder of a scoring job extends its lease while it scores, so a large dataset is not claimed again by
/// another worker mid-way. Only the current claim may renew.</summary>
public sealed record RenewScoringLease(Guid JobId, int Attempt, int? LeaseSeconds)
{
    public static ScoringLeaseRenewed Decide(ScoringJob? job, RenewScoringLease command, string by, DateTimeOffset now)
    {
        CompleteScoringJob.RequireHolder(job, command.JobId, command.Attempt);
        return new ScoringLeaseRenewed(job!.Id, command.Attempt, now + ClaimTrainingJob.Lease(command.LeaseSeconds), by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ScoringJobGraphType>, ScoringJob>("renewScoringLease")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<RenewScoringLeaseInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RenewScoringLease>("input");
            return (await StreamDecision.DecideAsync<ScoringJob>(context.Store(), command.JobId,
                job => [Decide(job, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class RenewScoringLeaseInputType : AutoRegisteringInputObjectGraphType<RenewScoringLease>
{
    public RenewScoringLeaseInputType() => Name = "RenewScoringLeaseInput";
}
