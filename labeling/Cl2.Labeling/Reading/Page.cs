using System.Globalization;
using System.Text;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;

namespace Cl2.Labeling.Reading;

/// <summary>
/// Relay paging by position: the cursor is an opaque offset into the filtered, sorted result, which the database
/// computes (filter, order, offset and limit are all SQL).
/// </summary>
public readonly record struct Page(int Skip, int Take)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static void AddArguments<TSource, TReturn>(FieldBuilder<TSource, TReturn> field) => field
        .Argument<IntGraphType>("first", argument => argument.Description = $"At most this many items (default {DefaultSize}, at most {MaxSize}).")
        .Argument<StringGraphType>("after", argument => argument.Description = "The endCursor of the previous page.");

    public static Page From(IResolveFieldContext context)
    {
        var first = context.GetArgument<int?>("first") ?? DefaultSize;
        if (first is < 0 or > MaxSize)
        {
            throw DomainException.Invalid($"first must be between 0 and {MaxSize}.");
        }
        var after = context.GetArgument<string?>("after");
        return new Page(after is null ? 0 : Decode(after) + 1, first);
    }

    public Connection<T> ToConnection<T>(IReadOnlyList<T> items, long total)
    {
        var skip = Skip;
        return new()
        {
            TotalCount = checked((int)total),
            Edges = [.. items.Select((item, index) => new Edge<T> { Node = item, Cursor = Encode(skip + index) })],
            PageInfo = new PageInfo
            {
                HasPreviousPage = skip > 0,
                HasNextPage = skip + items.Count < total,
                StartCursor = items.Count > 0 ? Encode(skip) : null,
                EndCursor = items.Count > 0 ? Encode(skip + items.Count - 1) : null,
            },
        };
    }

    private static string Encode(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int Decode(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith("offset:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Falls through to the typed error below: a client sent a cursor it did not get from us.
        }
        throw DomainException.Invalid($"'{cursor}' is not a cursor this API issued.");
    }
}

public static class PagedQuery
{
    /// <summary>
    /// The page a connection field's <c>first</c>/<c>after</c> arguments ask for, of the documents that
    /// <paramref name="filterAndOrder"/> picks, in its order: the database filters, counts, orders and cuts.
    /// </summary>
    public static async Task<Connection<T>> PageAsync<T>(this IResolveFieldContext context, Func<IQueryable<T>, IOrderedQueryable<T>> filterAndOrder)
        where T : notnull
    {
        var page = Page.From(context);
        await using var session = context.Store().QuerySession();
        var items = await filterAndOrder(session.Query<T>().Stats(out var stats))
            .Skip(page.Skip).Take(page.Take).ToListAsync(context.CancellationToken);
        return page.ToConnection(items, stats.TotalResults);
    }
}
