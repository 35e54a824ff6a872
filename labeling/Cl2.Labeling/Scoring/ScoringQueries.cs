using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Scoring;

public static class ScoringQueries
{
    public const int MaxJobsListed = 100;

    public static void AddFields(ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ScoringJobGraphType>>>, IReadOnlyList<ScoringJob>>("scoringJobs")
            .Description($"A dataset's scoring jobs, newest first (at most {MaxJobsListed}).")
            .AuthorizeWithRoles(Roles.Anyone)
            .Argument<NonNullGraphType<IdGraphType>>("dataset")
            .ResolveAsync(async context =>
            {
                var datasetId = context.GetId("dataset");
                await using var session = context.Store().QuerySession();
                return await session.Query<ScoringJob>().Where(job => job.DatasetId == datasetId)
                    .OrderByDescending(job => job.RequestedAt).ThenBy(job => job.Id).Take(MaxJobsListed).ToListAsync(context.CancellationToken);
            });
        query.FieldById<ScoringJobGraphType, ScoringJob>("scoringJob", Roles.Anyone);
    }
}

public sealed class ScoringStatusGraphType : EnumerationGraphType<ScoringStatus>
{
    public ScoringStatusGraphType() => Name = "ScoringStatus";
}

public sealed class ScoringJobGraphType : ObjectGraphType<ScoringJob>
{
    public ScoringJobGraphType()
    {
        Name = "ScoringJob";
        Description = "The training worker scoring a dataset's unlabelled cases with a model version, for an active-learning strategy.";
        Field(job => job.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(job => job.DatasetId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(job => job.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(job => job.VersionId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The production version that scores the cases.");
        Field(job => job.Method).Description("entropy or mc-dropout.");
        Field(job => job.Clusters).Description("How many k-means clusters of image embeddings to put the cases in (0: none).");
        Field(job => job.Trigger);
        Field(job => job.RequestedBy);
        Field(job => job.RequestedAt);
        Field(job => job.Status, type: typeof(NonNullGraphType<ScoringStatusGraphType>));
        Field(job => job.Attempt).Description("How many times the job was claimed; pass it back when completing it.");
        Field(job => job.Worker, nullable: true);
        Field(job => job.LeaseExpiresAt, nullable: true);
        Field(job => job.CaseCount, nullable: true).Description("How many cases got a score.");
        Field(job => job.FailureReason, nullable: true);
        Field(job => job.FinishedAt, nullable: true);
    }
}
