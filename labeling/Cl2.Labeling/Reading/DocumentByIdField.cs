using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Reading;

/// <summary>The root query field every slice has: one document (an aggregate snapshot or a read model) by its id.</summary>
public static class DocumentByIdField
{
    public static FieldBuilder<object?, TDocument> FieldById<TGraphType, TDocument>(this ObjectGraphType query, string name, params string[] roles)
        where TGraphType : IGraphType
        where TDocument : notnull =>
        query.Field<TGraphType, TDocument>(name)
            .AuthorizeWithRoles(roles)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                await using var session = context.Store().QuerySession();
                return await session.LoadAsync<TDocument>(context.GetId("id"), context.CancellationToken);
            });
}
