using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;

namespace Cl2.Labeling.Training;

public static class TrainingQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var jobs = query.Field<NonNullGraphType<ConnectionType<TrainingJobGraphType>>, Connection<TrainingJob>>("trainingJobs")
            .Description("Training jobs, newest first, filtered by the database, paged.")
            .AuthorizeWithRoles(Roles.Anyone)
            .Argument<TrainingStatusGraphType>("status")
            .Argument<IdGraphType>("model");
        Page.AddArguments(jobs);
        jobs.ResolveAsync(async context =>
        {
            var status = context.GetArgument<TrainingStatus?>("status");
            var modelId = context.GetArgument<Guid?>("model");
            return await context.PageAsync<TrainingJob>(jobs =>
            {
                if (status is { } wanted)
                {
                    jobs = jobs.Where(job => job.Status == wanted);
                }
                if (modelId is { } model)
                {
                    jobs = jobs.Where(job => job.ModelId == model);
                }
                return jobs.OrderByDescending(job => job.RequestedAt).ThenBy(job => job.Id);
            });
        });

        query.FieldById<TrainingJobGraphType, TrainingJob>("trainingJob", Roles.Anyone);
    }
}

public sealed class TrainingStatusGraphType : EnumerationGraphType<TrainingStatus>
{
    public TrainingStatusGraphType() => Name = "TrainingStatus";
}

public sealed class TrainingEpochGraphType : ObjectGraphType<TrainingEpoch>
{
    public TrainingEpochGraphType()
    {
        Name = "TrainingEpoch";
        Field(epoch => epoch.Attempt);
        Field(epoch => epoch.Epoch);
        Field(epoch => epoch.Loss);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MetricGraphType>>>, IEnumerable<Metric>>("metrics").Resolve(context => context.Source.Metrics);
        Field(epoch => epoch.CheckpointDigest, nullable: true);
        Field(epoch => epoch.ReportedAt);
    }
}

public sealed class TrainingJobGraphType : ObjectGraphType<TrainingJob>
{
    public TrainingJobGraphType()
    {
        Name = "TrainingJob";
        Field(job => job.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(job => job.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(job => job.BaseVersionId, type: typeof(IdGraphType)).Description("The version to fine-tune from; null trains from scratch.");
        Field(job => job.DatasetId, type: typeof(IdGraphType));
        Field(job => job.Trigger);
        Field<TrainingRecipeGraphType, TrainingRecipe>("recipe").Description("The job's own epochs, learning rate, batch size, training spacing and patch size; null when it takes the worker's and the workload's.")
            .Resolve(context => context.Source.Recipe);
        Field<LongGraphType, long?>("dataCut").Description("The event sequence number the job's training set is cut at.")
            .Resolve(context => context.Source.DataCut);
        Field(job => job.RequestedBy);
        Field(job => job.RequestedAt);
        Field(job => job.Status, type: typeof(NonNullGraphType<TrainingStatusGraphType>));
        Field(job => job.Attempt).Description("How many times the job was claimed; pass it back with each report.");
        Field(job => job.Worker, nullable: true);
        Field(job => job.Device, nullable: true);
        Field(job => job.ClaimedAt, nullable: true);
        Field(job => job.LeaseExpiresAt, nullable: true);
        Field(job => job.LastCheckpointDigest, nullable: true).Description("The checkpoint a worker that reclaims the job resumes from.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TrainingEpochGraphType>>>, IEnumerable<TrainingEpoch>>("progress")
            .Description("Every epoch reported, oldest first, across attempts.")
            .Resolve(context => context.Source.Progress);
        Field<TrainingEpochGraphType, TrainingEpoch>("lastEpoch").Resolve(context => context.Source.LastEpoch);
        Field(job => job.VersionId, type: typeof(IdGraphType)).Description("The version a successful job registered.");
        Field(job => job.FailureReason, nullable: true);
        Field(job => job.FinishedAt, nullable: true);
        Field(job => job.CancellationRequestedAt, nullable: true)
            .Description("When cancelTrainingJob asked the running job to stop; its worker then stops and reports it CANCELLED.");
        Field(job => job.CancellationRequestedBy, nullable: true);
        Field<NonNullGraphType<IntGraphType>, long>("version").Resolve(context => context.Source.Version);
        Field<NonNullGraphType<ModelGraphType>, IDataLoaderResult<Model?>>("model")
            .Resolve(context => context.LoadById<Model>(context.Source.ModelId));
    }
}
