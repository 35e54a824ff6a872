using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;

namespace Cl2.Labeling.Models;

public static class ModelQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var models = query.Field<NonNullGraphType<ConnectionType<ModelGraphType>>, Connection<Model>>("models")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("Models by name, paged.")
            .Argument<StringGraphType>("nameContains");
        Page.AddArguments(models);
        models.ResolveAsync(async context =>
        {
            var nameContains = context.GetArgument<string?>("nameContains");
            return await context.PageAsync<Model>(models =>
            {
                if (!string.IsNullOrEmpty(nameContains))
                {
                    models = models.Where(model => model.Name.Contains(nameContains, StringComparison.OrdinalIgnoreCase));
                }
                return models.OrderBy(model => model.Name).ThenBy(model => model.Id);
            });
        });

        query.FieldById<ModelGraphType, Model>("model", Roles.Anyone);

        query.Field<ModelVersionGraphType, ModelVersion>("modelVersion")
            .AuthorizeWithRoles(Roles.Anyone)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                await using var session = context.Store().QuerySession();
                return await FindVersionAsync(session, context.GetId("id"), context.CancellationToken);
            });

        query.Field<ModelVersionGraphType, ModelVersion>("productionVersion")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("The version of a model that is in production now, if any.")
            .Argument<NonNullGraphType<IdGraphType>>("model")
            .ResolveAsync(async context =>
            {
                await using var session = context.Store().QuerySession();
                var model = await session.LoadAsync<Model>(context.GetId("model"), context.CancellationToken);
                return model?.ProductionVersionId is { } id ? model.FindVersion(id) : null;
            });

        query.Field<ModelVersionGraphType, ModelVersion>("productionVersionAt")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("The version of a model that was in production at an instant, replayed from the model's events.")
            .Argument<NonNullGraphType<IdGraphType>>("model")
            .Argument<NonNullGraphType<DateTimeOffsetGraphType>>("at")
            .ResolveAsync(async context =>
            {
                await using var session = context.Store().QuerySession();
                var events = await session.Events.FetchStreamAsync(context.GetId("model"), token: context.CancellationToken);
                var model = Model.AsOf(events.Select(@event => @event.Data), context.GetArgument<DateTimeOffset>("at"));
                return model?.ProductionVersionId is { } id ? model.FindVersion(id) : null;
            });
    }

    /// <summary>A version by its id alone (versions live inside their model's document).</summary>
    public static async Task<ModelVersion?> FindVersionAsync(IQuerySession session, Guid versionId, CancellationToken cancellationToken)
    {
        var model = await session.Query<Model>().Where(model => model.Versions.Any(version => version.Id == versionId))
            .FirstOrDefaultAsync(cancellationToken);
        return model?.FindVersion(versionId);
    }
}
