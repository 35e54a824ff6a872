using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Models;

public static class ProductionHistoryQueries
{
    public static void AddFields(ObjectGraphType query) => query
        .Field<NonNullGraphType<ListGraphType<NonNullGraphType<ProductionPeriodGraphType>>>, IReadOnlyList<ProductionPeriod>>("productionHistory")
        .AuthorizeWithRoles(Roles.Anyone)
        .Description("Every period a version of the model was in production, newest first, replayed from the model's events.")
        .Argument<NonNullGraphType<IdGraphType>>("model")
        .ResolveAsync(async context =>
        {
            var modelId = context.GetId("model");
            return await Of(context, modelId).GetResultAsync(context.CancellationToken)
                ?? throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", modelId);
        });

    /// <summary>A model's production periods, read with those of every other model in the response: one query for all their streams.</summary>
    public static IDataLoaderResult<IReadOnlyList<ProductionPeriod>?> Of(IResolveFieldContext context, Guid modelId)
    {
        var store = context.Store();
        return context.Loaders().For<Guid, IReadOnlyList<ProductionPeriod>>("productionHistoryByModel", async (modelIds, cancellationToken) =>
        {
            var ids = modelIds.ToArray();
            await using var session = store.QuerySession();
            var events = await session.Events.QueryAllRawEvents()
                .Where(@event => @event.StreamId.IsOneOf(ids))
                .OrderBy(@event => @event.Sequence)
                .ToListAsync(cancellationToken);
            return events.GroupBy(@event => @event.StreamId)
                .Select(stream => (Model: stream.Key, Periods: ProductionHistory.Of([.. stream.Select(@event => @event.Data)])))
                .Where(history => history.Periods is not null)
                .ToDictionary(history => history.Model, history => history.Periods!);
        }).Load(modelId);
    }
}

public sealed class ProductionPeriodGraphType : ObjectGraphType<ProductionPeriod>
{
    public ProductionPeriodGraphType()
    {
        Name = "ProductionPeriod";
        Description = "A stretch of time one version of a model was in production.";
        Field<NonNullGraphType<ModelVersionGraphType>, ModelVersion>("version").Resolve(context => context.Source.Version);
        Field(period => period.From).Description("When the change that put the version into production was decided.");
        Field(period => period.To, nullable: true).Description("When the next change took it out; null while it is in production.");
        Field(period => period.Change, type: typeof(NonNullGraphType<ProductionChangeGraphType>)).Description("How it came into production: promoted, or rolled back to.");
        Field(period => period.ChangedBy).Description("Who made that change: the ML engineer, or evaluation-gate.");
        Field(period => period.ByGate).Description("True when the evaluation gate promoted it (an auto-promoting gate, as the version passed).");
        Field(period => period.Reason, nullable: true).Description("Why, where the events say: what the evaluation gate saw when it promoted, or the reason the ML engineer gave.");
    }
}
