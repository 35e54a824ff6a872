using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Datasets;

public static class DatasetQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var datasets = query.Field<NonNullGraphType<ConnectionType<DatasetGraphType>>, Connection<Dataset>>("datasets")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("Datasets, newest first, paged.")
            .Argument<StringGraphType>("nameContains")
            .Argument<BooleanGraphType>("research");
        Page.AddArguments(datasets);
        datasets.ResolveAsync(async context =>
        {
            var nameContains = context.GetArgument<string?>("nameContains");
            var research = context.GetArgument<bool?>("research");
            return await context.PageAsync<Dataset>(datasets =>
            {
                if (!string.IsNullOrEmpty(nameContains))
                {
                    datasets = datasets.Where(dataset => dataset.Name.Contains(nameContains, StringComparison.OrdinalIgnoreCase));
                }
                if (research is { } isResearch)
                {
                    datasets = datasets.Where(dataset => dataset.Research == isResearch);
                }
                return datasets.OrderByDescending(dataset => dataset.CreatedAt).ThenBy(dataset => dataset.Id);
            });
        });

        query.FieldById<DatasetGraphType, Dataset>("dataset", Roles.Anyone);
    }

    /// <summary>How many cases of each dataset are in each label status: one grouped query for many datasets.</summary>
    public static IDataLoaderResult<IReadOnlyList<LabelStatusCount>?> StatusCountsOf(IResolveFieldContext context, Guid datasetId)
    {
        var dataSource = context.RequestServices!.GetRequiredService<NpgsqlDataSource>();
        var table = context.RequestServices!.GetRequiredService<IOptions<PostgresOptions>>().Value.Schema + ".mt_doc_case";
        var store = context.Store();
        return context.Loaders().For<Guid, IReadOnlyList<LabelStatusCount>>("labelStatusCountsByDataset", async (ids, cancellationToken) =>
        {
            // The table exists from start-up on (EventStoreSchema), unless PostgreSQL was down then: create it as a session would.
            await store.Storage.Database.EnsureStorageExistsAsync(typeof(Case), cancellationToken);
            await using var command = dataSource.CreateCommand(
                $"select (data ->> 'DatasetId')::uuid, data ->> 'LabelStatus', count(*) from {table} " +
                "where (data ->> 'DatasetId')::uuid = any(@datasets) group by 1, 2");
            command.Parameters.AddWithValue("datasets", ids.ToArray());
            var counts = new List<(Guid Dataset, LabelStatusCount Count)>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    counts.Add((reader.GetGuid(0), new LabelStatusCount(Enum.Parse<LabelStatus>(reader.GetString(1)), checked((int)reader.GetInt64(2)))));
                }
            }
            return counts.GroupBy(entry => entry.Dataset).ToDictionary(
                group => group.Key,
                group => (IReadOnlyList<LabelStatusCount>)[.. group.Select(entry => entry.Count).OrderBy(count => count.Status)]);
        }).Load(datasetId);
    }
}

public sealed record LabelStatusCount(LabelStatus Status, int Count);

public sealed class LabelStatusCountGraphType : ObjectGraphType<LabelStatusCount>
{
    public LabelStatusCountGraphType()
    {
        Name = "LabelStatusCount";
        Field(count => count.Status, type: typeof(NonNullGraphType<LabelStatusGraphType>));
        Field(count => count.Count);
    }
}

public sealed class DatasetGraphType : ObjectGraphType<Dataset>
{
    public DatasetGraphType()
    {
        Name = "Dataset";
        Field(dataset => dataset.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(dataset => dataset.Name);
        Field(dataset => dataset.Description);
        Field(dataset => dataset.Research);
        Field(dataset => dataset.CreatedBy);
        Field(dataset => dataset.CreatedAt);
        Field<DatasetSplitGraphType, DatasetSplitFixed>("split").Description("The fixed train/validation/test split, once fixed.")
            .Resolve(context => context.Source.Split);
        Field<ActiveLearningGraphType, ActiveLearningStrategySet>("activeLearning")
            .Description("The strategy nextCase hands cases out by, and the model that scores them; null: oldest first.")
            .Resolve(context => context.Source.ActiveLearning);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LabelStatusCountGraphType>>>, IDataLoaderResult<IReadOnlyList<LabelStatusCount>>>("labelStatusCounts")
            .Description("Cases per label status (statuses with no case are left out).")
            .Resolve(context => DatasetQueries.StatusCountsOf(context, context.Source.Id).Then(counts => counts ?? []));
        var cases = Field<NonNullGraphType<ConnectionType<CaseGraphType>>, IDataLoaderResult<Connection<Case>>>("cases")
            .Description("The dataset's cases, filtered and sorted by the database, paged; batched across datasets.");
        CaseQueries.AddFilterArguments(cases);
        cases.Resolve(context => CaseQueries.CasesOf(context, context.Source.Id));
        Field<NonNullGraphType<IntGraphType>, IDataLoaderResult<int>>("caseCount")
            .Resolve(context => DatasetQueries.StatusCountsOf(context, context.Source.Id).Then(counts => counts?.Sum(count => count.Count) ?? 0));
        DefineDatasetLabels.AddFields(this);
    }
}
