using GraphQL.Builders;
using GraphQL.Types;
using GraphQLParser.AST;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// A query field that changes state (<c>nextCase</c> assigns the case it returns). GraphQL-over-HTTP lets GET run
/// queries, and a GET can be sent by a link or an image tag from another site; such fields are refused over GET like
/// mutations are.
/// </summary>
public static class SideEffects
{
    private const string Key = "cl2:sideEffects";

    public static FieldBuilder<TSource, TReturn> HasSideEffects<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field)
    {
        field.FieldType.Metadata[Key] = true;
        return field;
    }

    /// <summary>The first root field of <paramref name="operation"/> (through fragments too) that changes state, or null.</summary>
    public static string? FirstIn(GraphQLOperationDefinition operation, GraphQLDocument document, IObjectGraphType root) =>
        RootFields(operation.SelectionSet, document, [])
            .FirstOrDefault(name => root.GetField(name)?.GetMetadata(Key, false) == true);

    private static IEnumerable<string> RootFields(GraphQLSelectionSet selections, GraphQLDocument document, HashSet<string> visited)
    {
        foreach (var selection in selections.Selections)
        {
            var nested = selection switch
            {
                GraphQLField field => [field.Name.StringValue],
                GraphQLInlineFragment inline => RootFields(inline.SelectionSet, document, visited),
                GraphQLFragmentSpread spread when visited.Add(spread.FragmentName.Name.StringValue)
                    && document.Definitions.OfType<GraphQLFragmentDefinition>()
                        .FirstOrDefault(definition => definition.FragmentName.Name.StringValue == spread.FragmentName.Name.StringValue) is { } fragment
                    => RootFields(fragment.SelectionSet, document, visited),
                _ => [],
            };
            foreach (var name in nested)
            {
                yield return name;
            }
        }
    }
}
