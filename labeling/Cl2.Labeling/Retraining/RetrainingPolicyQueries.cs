using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Retraining;

public static class RetrainingPolicyQueries
{
    public static void AddFields(ObjectGraphType query) => query
        .Field<RetrainingPolicyGraphType, RetrainingPolicy>("retrainingPolicy")
        .Description("A model's retraining policy with every change to it; null when none was ever set.")
        .AuthorizeWithRoles(Roles.Anyone)
        .Argument<NonNullGraphType<IdGraphType>>("model")
        .ResolveAsync(async context =>
        {
            await using var session = context.Store().QuerySession();
            return await session.LoadAsync<RetrainingPolicy>(RetrainingPolicy.StreamIdOf(context.GetId("model")), context.CancellationToken);
        });
}

public sealed class RetrainingPolicyGraphType : ObjectGraphType<RetrainingPolicy>
{
    public RetrainingPolicyGraphType()
    {
        Name = "RetrainingPolicy";
        Field(policy => policy.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(policy => policy.DatasetId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(policy => policy.NewLabelThreshold, nullable: true);
        Field(policy => policy.ScheduleMinutes, nullable: true);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RetrainingPolicyChangeGraphType>>>, IEnumerable<RetrainingPolicyChange>>("changes")
            .Description("Every setting of the policy, oldest first, with who made it and when.")
            .Resolve(context => context.Source.Changes);
        Field<IdGraphType, Guid?>("lastJobId").Description("The training job the policy requested last.").Resolve(context => context.Source.LastJobId);
        Field<NonNullGraphType<LongGraphType>, long>("lastDataCut").Resolve(context => context.Source.LastDataCut);
        Field(policy => policy.LastTriggeredAt, nullable: true);
    }
}

public sealed class RetrainingPolicyChangeGraphType : ObjectGraphType<RetrainingPolicyChange>
{
    public RetrainingPolicyChangeGraphType()
    {
        Name = "RetrainingPolicyChange";
        Field(change => change.DatasetId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(change => change.NewLabelThreshold, nullable: true);
        Field(change => change.ScheduleMinutes, nullable: true);
        Field(change => change.SetBy);
        Field(change => change.SetAt);
    }
}
