using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Builders;
using GraphQL.DataLoader;
using GraphQL.Types;

namespace Cl2.Labeling.Reading;

/// <summary>
/// The root query field every slice has: one document (an aggregate snapshot or a read model) by its id. It loads through
/// the request's batch loader (<see cref="BatchLoading.LoadById{TDocument}"/>), so many aliases of it in one request
/// (<c>a: dataset(id: …) b: dataset(id: …)</c>) cost one query per document type, not one each.
/// </summary>
public static class DocumentByIdField
{
    public static FieldBuilder<object?, IDataLoaderResult<TDocument?>> FieldById<TGraphType, TDocument>(this ObjectGraphType query, string name,
        params string[] roles)
        where TGraphType : IGraphType
        where TDocument : class =>
        query.Field<TGraphType, IDataLoaderResult<TDocument?>>(name)
            .AuthorizeWithRoles(roles)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Resolve(context => context.LoadById<TDocument>(context.GetId("id")));
}
