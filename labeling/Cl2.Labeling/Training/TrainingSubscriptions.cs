using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Training;

public static class TrainingSubscriptions
{
    public static void AddFields(ObjectGraphType subscription) => subscription
        .Field<NonNullGraphType<TrainingProgressGraphType>, TrainingProgressed>("trainingProgress")
        .Description("Each epoch a worker reports for the job (or for any job), in the order they were committed.")
        .AuthorizeWithRoles(Roles.Anyone)
        .Argument<IdGraphType>("job")
        .ResolveStream(context =>
        {
            var jobId = context.GetArgument<Guid?>("job");
            return context.RequestServices!.GetRequiredService<EventHub>()
                .Of<TrainingProgressed, TrainingProgressed>(progressed => jobId is null || progressed.JobId == jobId, progressed => progressed);
        });
}

public sealed class TrainingProgressGraphType : ObjectGraphType<TrainingProgressed>
{
    public TrainingProgressGraphType()
    {
        Name = "TrainingProgress";
        Field(progressed => progressed.JobId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(progressed => progressed.Attempt);
        Field(progressed => progressed.Epoch);
        Field(progressed => progressed.Loss);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MetricGraphType>>>, IEnumerable<Metric>>("metrics").Resolve(context => context.Source.Metrics);
        Field(progressed => progressed.CheckpointDigest, nullable: true);
        Field(progressed => progressed.ReportedBy);
        Field(progressed => progressed.ReportedAt);
    }
}
