using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Builders;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Cases;

public enum CaseOrder
{
    AddedAt,
    StudyInstanceUid,
    LabelledAt,
}

public static class CaseQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var cases = query.Field<NonNullGraphType<ConnectionType<CaseGraphType>>, Connection<Case>>("cases")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("The cases of a dataset, filtered and sorted by the database, paged.")
            .Argument<NonNullGraphType<IdGraphType>>("dataset");
        AddFilterArguments(cases);
        cases.ResolveAsync(async context =>
        {
            var datasetId = context.GetId("dataset");
            var labelStatus = context.GetArgument<LabelStatus?>("labelStatus");
            var assignedTo = context.GetArgument<string?>("assignedTo");
            var descending = context.GetArgument<bool>("descending");
            var orderBy = context.GetArgument<CaseOrder>("orderBy");
            return await context.PageAsync<Case>(cases =>
            {
                cases = cases.Where(@case => @case.DatasetId == datasetId);
                if (labelStatus is { } status)
                {
                    cases = cases.Where(@case => @case.LabelStatus == status);
                }
                if (assignedTo is not null)
                {
                    cases = cases.Where(@case => @case.AssignedTo == assignedTo);
                }
                var ordered = orderBy switch
                {
                    CaseOrder.StudyInstanceUid => descending ? cases.OrderByDescending(@case => @case.StudyInstanceUid) : cases.OrderBy(@case => @case.StudyInstanceUid),
                    CaseOrder.LabelledAt => descending ? cases.OrderByDescending(@case => @case.LabelledAt) : cases.OrderBy(@case => @case.LabelledAt),
                    _ => descending ? cases.OrderByDescending(@case => @case.AddedAt) : cases.OrderBy(@case => @case.AddedAt),
                };
                return ordered.ThenBy(@case => @case.Id);
            });
        });

        query.FieldById<CaseGraphType, Case>("case", Roles.Anyone);
    }

    public static void AddFilterArguments<TSource, TReturn>(FieldBuilder<TSource, TReturn> field)
    {
        field.Argument<LabelStatusGraphType>("labelStatus")
            .Argument<StringGraphType>("assignedTo")
            .Argument<CaseOrderGraphType>("orderBy", argument => argument.DefaultValue = CaseOrder.AddedAt)
            .Argument<BooleanGraphType>("descending", argument => argument.DefaultValue = false);
        Page.AddArguments(field);
    }

    /// <summary>
    /// One page of cases for each of many datasets with two queries in all (a windowed page and a grouped count),
    /// so listing datasets with their cases does not cost a query per dataset.
    /// </summary>
    public static IDataLoaderResult<Connection<Case>> CasesOf(IResolveFieldContext context, Guid datasetId)
    {
        var page = Page.From(context);
        var status = context.GetArgument<LabelStatus?>("labelStatus");
        var assignedTo = context.GetArgument<string?>("assignedTo");
        var order = context.GetArgument<CaseOrder>("orderBy");
        var descending = context.GetArgument<bool>("descending");
        var store = context.Store();
        var dataSource = context.RequestServices!.GetRequiredService<NpgsqlDataSource>();
        var table = context.RequestServices!.GetRequiredService<IOptions<PostgresOptions>>().Value.Schema + ".mt_doc_case";
        var name = FormattableString.Invariant($"casesOfDataset:{status}:{assignedTo}:{order}:{descending}:{page.Skip}:{page.Take}");
        return context.Loaders().For<Guid, Connection<Case>>(name, async (datasetIds, cancellationToken) =>
        {
            // Marten stores a case as jsonb in mt_doc_case; the expressions match the indexes declared in EventStoreRegistration.
            // The table exists from start-up on (EventStoreSchema), unless PostgreSQL was down then: create it as a session would.
            await store.Storage.Database.EnsureStorageExistsAsync(typeof(Case), cancellationToken);
            var filter = "(data ->> 'DatasetId')::uuid = any(@datasets)"
                + (status is null ? "" : " and data ->> 'LabelStatus' = @status")
                + (assignedTo is null ? "" : " and data ->> 'AssignedTo' = @assignedTo");
            var sortKey = order switch
            {
                CaseOrder.StudyInstanceUid => "data ->> 'StudyInstanceUid'",
                CaseOrder.LabelledAt => "data ->> 'LabelledAt'",
                _ => "data ->> 'AddedAt'",
            } + (descending ? " desc" : "");
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"select (data ->> 'DatasetId')::uuid, count(*) from {table} where {filter} group by 1"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"select dataset_id, id from (select (data ->> 'DatasetId')::uuid as dataset_id, id, " +
                $"row_number() over (partition by data ->> 'DatasetId' order by {sortKey}, id) as position from {table} where {filter}) ranked " +
                "where position > @skip and position <= @skip + @take order by dataset_id, position"));
            foreach (var command in batch.BatchCommands.Cast<NpgsqlBatchCommand>())
            {
                command.Parameters.AddWithValue("datasets", datasetIds.ToArray());
                command.Parameters.AddWithValue("status", status?.ToString() ?? "");
                command.Parameters.AddWithValue("assignedTo", assignedTo ?? "");
                command.Parameters.AddWithValue("skip", (long)page.Skip);
                command.Parameters.AddWithValue("take", (long)page.Take);
            }
            var totals = new Dictionary<Guid, long>();
            var pages = new List<(Guid Dataset, Guid Case)>();
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    totals[reader.GetGuid(0)] = reader.GetInt64(1);
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    pages.Add((reader.GetGuid(0), reader.GetGuid(1)));
                }
            }
            await using var session = store.QuerySession();
            var cases = (await session.LoadManyAsync<Case>(cancellationToken, pages.Select(entry => entry.Case))).ToDictionary(@case => @case.Id);
            return datasetIds.ToDictionary(id => id, id => page.ToConnection(
                (IReadOnlyList<Case>)[.. pages.Where(entry => entry.Dataset == id && cases.ContainsKey(entry.Case)).Select(entry => cases[entry.Case])],
                totals.GetValueOrDefault(id)));
        }).Load(datasetId).Then(connection => connection ?? page.ToConnection<Case>([], 0));
    }
}

public sealed class CaseGraphType : ObjectGraphType<Case>
{
    public CaseGraphType()
    {
        Name = "Case";
        Field(@case => @case.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(@case => @case.StudyInstanceUid);
        Field(@case => @case.AddedBy);
        Field(@case => @case.AddedAt);
        Field(@case => @case.AssignedTo, nullable: true);
        Field(@case => @case.AssignmentExpiresAt, nullable: true).Description("When nextCase may hand the case to someone else.");
        Field(@case => @case.LabelStatus, type: typeof(NonNullGraphType<LabelStatusGraphType>));
        Field(@case => @case.CurrentRevision).Description("The revision a new submission builds on (0 before the first).");
        Field(@case => @case.LabelledAt, nullable: true);
        Field<IdGraphType, Guid?>("currentRevisionId").Description("The label revision that is the case's label now (a correction's, for a corrected study).")
            .Resolve(context => context.Source.CurrentRevisionId);
        Field<FeedbackVerdictGraphType, FeedbackVerdict?>("feedbackVerdict")
            .Description("The last radiologist's verdict on the model's result for this study (cases of a feedback dataset); ACCEPT: the model's output is the label.")
            .Resolve(context => context.Source.Feedback?.Verdict);
        Field<IdGraphType, Guid?>("acceptedInferenceResultId").Description("The inference result whose output a radiologist accepted as this case's label.")
            .Resolve(context => context.Source.Feedback is { Verdict: FeedbackVerdict.Accept } feedback ? feedback.InferenceResultId : null);
        Field(@case => @case.Priority).Description("Higher comes first in nextCase (1: a radiologist rejected the model's result).");
        Field<CaseScoreGraphType, CaseScore>("score").Description("The case's latest active-learning score (null until a scoring job scored it).")
            .Resolve(context => context.Source.Score);
        Field<LabelPredictionGraphType, LabelPrediction>("latestPrediction").Description("What a model last predicted for this case.")
            .Resolve(context => context.Source.LatestPrediction);
        Field<NonNullGraphType<DatasetGraphType>, IDataLoaderResult<Dataset?>>("dataset")
            .Resolve(context => context.LoadById<Dataset>(context.Source.DatasetId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LabelRevisionGraphType>>>, IDataLoaderResult<IReadOnlyList<LabelRevision>>>("labelHistory")
            .Description("Every submission for this case, oldest first, conflicted ones included.")
            .Resolve(context => LabelQueries.HistoryOf(context, context.Source.Id).Then(history => history ?? []));
    }
}

public sealed class LabelStatusGraphType : EnumerationGraphType<LabelStatus>
{
    public LabelStatusGraphType() => Name = "LabelStatus";
}

public sealed class CaseOrderGraphType : EnumerationGraphType<CaseOrder>
{
    public CaseOrderGraphType() => Name = "CaseOrder";
}
