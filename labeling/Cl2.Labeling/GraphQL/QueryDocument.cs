using GraphQL;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Parses a request's query under the document limits of <see cref="GraphQLOptions"/>, for HTTP and WebSocket alike.
/// What is checked here costs time linear in the query's length, and runs before validation, whose rules can cost more
/// (the overlapping-fields rule compares same-named fields pairwise): tokens are counted before parsing, the parser stops
/// at a nesting depth, and fields and aliases are counted with each fragment read once.
/// </summary>
public static partial class QueryDocument
{
    public const string TooLarge = "QUERY_TOO_LARGE";
    public const string TooDeep = "QUERY_TOO_DEEP";
    public const string TooManyFields = "TOO_MANY_FIELDS";
    public const string TooManyAliases = "TOO_MANY_ALIASES";

    /// <summary>
    /// The parsed document, or the refusal. Both are null for a syntax error: the executer reports it with its location,
    /// as the spec asks.
    /// </summary>
    public static (GraphQLDocument? Document, ExecutionError? Refusal) Parse(string query, GraphQLOptions options)
    {
        if (CountTokens(query, options.MaxTokens + 1) is var tokens && tokens > options.MaxTokens)
        {
            return (null, new ExecutionError($"The query has more than {options.MaxTokens} tokens; split it, or pass values as variables.") { Code = TooLarge });
        }
        GraphQLDocument document;
        try
        {
            // A selection level is about two parser levels (field, selection set), plus the document and the operation.
            document = Parser.Parse(query, new ParserOptions { MaxDepth = ParserDepth(options) });
        }
        catch (GraphQLMaxDepthExceededException)
        {
            return (null, new ExecutionError($"The query nests deeper than {options.MaxDepth} levels; ask for less at once.") { Code = TooDeep });
        }
        catch (GraphQLSyntaxErrorException)
        {
            return (null, null);
        }
        var (fields, aliases) = Count(document);
        if (fields > options.MaxFields)
        {
            return (null, new ExecutionError($"The query selects {fields} fields; at most {options.MaxFields} are allowed in one request.") { Code = TooManyFields });
        }
        if (aliases > options.MaxAliases)
        {
            return (null, new ExecutionError($"The query has {aliases} aliased fields; at most {options.MaxAliases} are allowed in one request.") { Code = TooManyAliases });
        }
        return (document, null);
    }

    public static void LogRefused(IServiceProvider services, ExecutionError refusal, System.Security.Claims.ClaimsPrincipal? user) =>
        QueryRefused(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(QueryDocument).FullName!),
            refusal.Code ?? "", user?.Identity?.Name ?? "anonymous", refusal.Message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GraphQL request refused ({Code}) for {User}: {Reason}")]
    private static partial void QueryRefused(ILogger logger, string code, string user, string reason);

    public static int ParserDepth(GraphQLOptions options) => (4 * options.MaxDepth) + 16;

    /// <returns>The number of tokens, counting no further than <paramref name="stopAt"/>; 0 when the query does not lex
    /// (the parser reports where).</returns>
    private static int CountTokens(string query, int stopAt)
    {
        ROM source = query;
        var count = 0;
        var position = 0;
        try
        {
            while (count < stopAt)
            {
                var token = Lexer.Lex(source, position);
                if (token.Kind == TokenKind.EOF)
                {
                    break;
                }
                count++;
                position = token.End;
            }
        }
        catch (GraphQLSyntaxErrorException)
        {
            return 0;
        }
        return count;
    }

    /// <summary>Fields and aliases as written: every definition (fragments included) once, never expanded.</summary>
    private static (int Fields, int Aliases) Count(GraphQLDocument document)
    {
        var (fields, aliases) = (0, 0);
        foreach (var definition in document.Definitions)
        {
            var selections = definition switch
            {
                GraphQLOperationDefinition operation => operation.SelectionSet,
                GraphQLFragmentDefinition fragment => fragment.SelectionSet,
                _ => null,
            };
            if (selections is not null)
            {
                CountIn(selections, ref fields, ref aliases);
            }
        }
        return (fields, aliases);
    }

    private static void CountIn(GraphQLSelectionSet selections, ref int fields, ref int aliases)
    {
        foreach (var selection in selections.Selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    fields++;
                    if (field.Alias is not null)
                    {
                        aliases++;
                    }
                    if (field.SelectionSet is { } nested)
                    {
                        CountIn(nested, ref fields, ref aliases);
                    }
                    break;
                case GraphQLInlineFragment inline:
                    CountIn(inline.SelectionSet, ref fields, ref aliases);
                    break;
            }
        }
    }
}
