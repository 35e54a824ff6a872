using GraphQL;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser;
using GraphQLParser.AST;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Refuses, before anything runs, an operation that is too deep (QUERY_TOO_DEEP), costs too much (QUERY_TOO_COMPLEX) or
/// selects too many root fields (TOO_MANY_ROOT_FIELDS). The cost of a selection set is the sum of its fields, each 1 plus
/// its selections times the list size it stands for (its <c>first</c> argument, or that of the connection above it, else
/// <see cref="DefaultListSize"/>; for introspection, the schema's own sizes); a root field adds <see cref="GraphQLOptions.RootFieldCost"/>, since it opens a
/// database session of its own. Each fragment is costed once and its cost reused wherever it is spread, so the work here is
/// linear in the document, however many times the fragments nest into each other (GraphQL.NET's own analyzer walks the
/// expanded tree: 2^N for N fragments that spread the next one twice).
/// </summary>
public sealed partial class QueryCostRule(GraphQLOptions options, ILogger logger) : ValidationRuleBase
{
    public const string TooComplex = "QUERY_TOO_COMPLEX";
    public const string TooManyRootFields = "TOO_MANY_ROOT_FIELDS";

    /// <summary>The size assumed for a list field without a <c>first</c> argument.</summary>
    public const int DefaultListSize = 20;

    public override ValueTask<INodeVisitor?> GetPostNodeVisitorAsync(ValidationContext context)
    {
        // Other rules have refused the document already (unknown fields, fragment cycles): nothing to cost.
        if (!context.HasErrors && Root(context) is { } root)
        {
            Check(context, root);
        }
        return default;
    }

    private static IObjectGraphType? Root(ValidationContext context) => context.Operation.Operation switch
    {
        OperationType.Query => context.Schema.Query,
        OperationType.Mutation => context.Schema.Mutation,
        OperationType.Subscription => context.Schema.Subscription,
        _ => null,
    };

    private void Check(ValidationContext context, IObjectGraphType root)
    {
        var rootFields = RootFields(context.Operation.SelectionSet, context.Document, [], []);
        if (rootFields.Count > options.MaxRootFields)
        {
            Refuse(context, TooManyRootFields,
                $"The operation selects {rootFields.Count} root fields; at most {options.MaxRootFields} are allowed in one request. Send fewer, or use list fields.");
            return;
        }
        var costing = new Costing(context, []);
        var cost = costing.Of(context.Operation.SelectionSet, root, pageSize: null);
        var total = cost.Cost + (options.RootFieldCost * rootFields.Count(name => !name.StartsWith("__", StringComparison.Ordinal)));
        if (cost.Depth > options.MaxDepth)
        {
            Refuse(context, QueryDocument.TooDeep,
                $"Query is too nested to execute. Maximum depth is {cost.Depth} levels; maximum allowed on this endpoint is {options.MaxDepth}.");
        }
        else if (total > options.MaxComplexity)
        {
            Refuse(context, TooComplex,
                $"Query is too complex to execute. Complexity is {total}; maximum allowed on this endpoint is {options.MaxComplexity}. Ask for fewer fields, smaller pages (first) or fewer root fields.");
        }
        else if (costing.Introspection > options.MaxIntrospectionComplexity)
        {
            Refuse(context, TooComplex,
                $"Introspection is too complex to execute. Complexity is {costing.Introspection}; maximum allowed on this endpoint is {options.MaxIntrospectionComplexity}. Ask for fewer nested type fields.");
        }
    }

    private void Refuse(ValidationContext context, string code, string message)
    {
        QueryRefused(logger, code, context.User?.Identity?.Name ?? "anonymous", message);
        context.ReportError(new ValidationError(context.Document.Source, null, message, context.Operation) { Code = code });
    }

    /// <summary>The response names at the root, through fragments (each read once).</summary>
    private static HashSet<string> RootFields(GraphQLSelectionSet selections, GraphQLDocument document, HashSet<string> names, HashSet<string> fragments)
    {
        foreach (var selection in selections.Selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    names.Add((field.Alias?.Name ?? field.Name).StringValue);
                    break;
                case GraphQLInlineFragment inline:
                    RootFields(inline.SelectionSet, document, names, fragments);
                    break;
                case GraphQLFragmentSpread spread when fragments.Add(spread.FragmentName.Name.StringValue)
                    && document.FindFragmentDefinition(spread.FragmentName.Name.Value) is { } fragment:
                    RootFields(fragment.SelectionSet, document, names, fragments);
                    break;
            }
        }
        return names;
    }

    /// <summary>Costs selection sets, remembering each fragment's cost per page size it is spread under.</summary>
    private sealed class Costing(ValidationContext context, Dictionary<(string Fragment, double? PageSize), (double Cost, int Depth)> fragments)
    {
        /// <summary>
        /// The cost of <c>__schema</c> and <c>__type</c>, kept apart from the data's: it grows with the schema (every
        /// feature adds types), is answered from memory without a database session, and has a budget of its own.
        /// </summary>
        public double Introspection { get; private set; }

        /// <param name="pageSize">The <c>first</c> argument of the field this selection set belongs to, for the list fields
        /// of a connection.</param>
        public (double Cost, int Depth) Of(GraphQLSelectionSet selections, IGraphType parent, double? pageSize)
        {
            var (cost, depth) = (0d, 0);
            foreach (var selection in selections.Selections)
            {
                var (selectionCost, selectionDepth) = selection switch
                {
                    GraphQLField field => OfField(field, parent, pageSize),
                    GraphQLInlineFragment inline => Of(inline.SelectionSet, TypeNamed(inline.TypeCondition?.Type.Name) ?? parent, pageSize),
                    GraphQLFragmentSpread spread => OfFragment(spread.FragmentName.Name, pageSize),
                    _ => (0d, 0),
                };
                cost += selectionCost;
                depth = Math.Max(depth, selectionDepth);
            }
            return (cost, depth);
        }

        private (double Cost, int Depth) OfFragment(GraphQLName name, double? pageSize)
        {
            var key = (name.StringValue, pageSize);
            if (fragments.TryGetValue(key, out var known))
            {
                return known;
            }
            // Marked before costing, so a cycle (refused by validation already) cannot recurse forever here.
            fragments[key] = (0, 0);
            var fragment = context.Document.FindFragmentDefinition(name.Value);
            var cost = fragment is not null && TypeNamed(fragment.TypeCondition.Type.Name) is { } type
                ? Of(fragment.SelectionSet, type, pageSize)
                : (0, 0);
            fragments[key] = cost;
            return cost;
        }

        private (double Cost, int Depth) OfField(GraphQLField field, IGraphType parent, double? pageSize)
        {
            if (field.SelectionSet is null)
            {
                return (1, 0);
            }
            var definition = field.Name.StringValue switch
            {
                "__schema" => context.Schema.SchemaMetaFieldType,
                "__type" => context.Schema.TypeMetaFieldType,
                _ => (parent.GetNamedType() as IComplexGraphType)?.GetField(field.Name.Value),
            };
            if (definition?.ResolvedType is not { } type)
            {
                return (1, 0);
            }
            var first = First(field);
            var isList = IsList(type);
            var size = !isList ? 1
                : parent.GetNamedType().Name.StartsWith("__", StringComparison.Ordinal) ? IntrospectionListSize(field.Name.StringValue)
                : first ?? pageSize ?? DefaultListSize;
            var children = Of(field.SelectionSet, type.GetNamedType(), isList ? null : first);
            var cost = 1 + (size * children.Cost);
            if (field.Name.StringValue is "__schema" or "__type")
            {
                // Not counted in the depth: graphql-js's introspection query (GraphiQL's) nests ofType nine levels to
                // unwrap types like [[T!]!]!, deeper than MaxDepth allows data. Introspection is answered from memory,
                // its nesting is bounded by the parser's depth limit and its cost by its own budget.
                Introspection += cost;
                return (0, 1);
            }
            return (cost, 1 + children.Depth);
        }

        /// <summary>
        /// Introspection lists are as long as the schema makes them, not as the data: all types, all directives, and for
        /// the lists of one type (fields, arguments, enum values …) their average length over the schema, rounded up.
        /// </summary>
        private double IntrospectionListSize(string field)
        {
            var types = context.Schema.AllTypes;
            return field switch
            {
                "types" => types.Count,
                "directives" => context.Schema.Directives.Count,
                "args" => Average(types.OfType<IComplexGraphType>().SelectMany(type => type.Fields).Select(each => each.Arguments?.Count ?? 0)),
                "enumValues" => Average(types.OfType<EnumerationGraphType>().Select(type => type.Values.Count)),
                "interfaces" => Average(types.OfType<IObjectGraphType>().Select(type => type.ResolvedInterfaces.Count)),
                "possibleTypes" => Average(types.OfType<IAbstractGraphType>().Select(type => type.PossibleTypes.Count)),
                // fields and inputFields: every type counted, since each has one of the two or neither.
                _ => Math.Ceiling(types.OfType<IComplexGraphType>().Sum(type => type.Fields.Count) / (double)Math.Max(types.Count, 1)),
            };

            static double Average(IEnumerable<int> counts)
            {
                var list = counts.ToList();
                return list.Count == 0 ? 1 : Math.Max(1, Math.Ceiling(list.Average()));
            }
        }

        private static bool IsList(IGraphType type) => (type is NonNullGraphType nonNull ? nonNull.ResolvedType : type) is ListGraphType;

        private double? First(GraphQLField field)
        {
            var value = field.Arguments?.Items.FirstOrDefault(argument => argument.Name.StringValue == "first")?.Value;
            return value switch
            {
                GraphQLIntValue literal when int.TryParse(literal.Value.Span, out var number) => Math.Max(number, 0),
                GraphQLVariable variable when context.Variables.TryGetValue(variable.Name.StringValue, out var bound) && bound is int or long
                    => Math.Max(Convert.ToDouble(bound, System.Globalization.CultureInfo.InvariantCulture), 0),
                _ => null,
            };
        }

        private IGraphType? TypeNamed(GraphQLName? name) => name is null ? null : context.Schema.AllTypes[name.StringValue];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GraphQL request refused ({Code}) for {User}: {Reason}")]
    private static partial void QueryRefused(ILogger logger, string code, string user, string reason);
}
