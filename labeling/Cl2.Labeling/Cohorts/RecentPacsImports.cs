using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;

namespace Cl2.Labeling.Cohorts;

/// <summary><c>pacsImports</c>: every import from the PACS, newest first, paged — the operations page's list of imports
/// with their progress (<c>pacsImport(id:)</c> answers for one).</summary>
public static class RecentPacsImports
{
    public static void AddField(ObjectGraphType query)
    {
        var field = query.Field<NonNullGraphType<ConnectionType<PacsImportGraphType>>, Connection<PacsImport>>("pacsImports")
            .Description("Every import from the PACS, newest first, paged, each with its progress and status.")
            .AuthorizeWithRoles(Roles.MlEngineer);
        Page.AddArguments(field);
        field.ResolveAsync(async context =>
            await context.PageAsync<PacsImport>(imports => imports.OrderByDescending(import => import.StartedAt).ThenBy(import => import.Id)));
    }
}
