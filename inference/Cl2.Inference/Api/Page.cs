namespace Cl2.Inference.Api;

/// <summary>
/// One page of a list the inference API returns, by <c>offset</c> and <c>limit</c> query parameters. The lists are in the
/// order things arrived and only grow at their end, so an offset names the same items on every call.
/// </summary>
public sealed record Page(int Offset, int Limit)
{
    /// <summary>The page asked for (no <c>limit</c>: <paramref name="maxPageSize"/> items), or why it cannot be served.</summary>
    public static (Page? Page, string? Problem) From(int? offset, int? limit, int maxPageSize) =>
        (offset ?? 0, limit ?? maxPageSize) switch
        {
            ( < 0, _) => (null, $"offset must be 0 or more, not {offset}."),
            (_, < 1) => (null, $"limit must be 1 to {maxPageSize}, not {limit}."),
            (_, var asked) when asked > maxPageSize => (null, $"limit must be 1 to {maxPageSize} (Inference:Api:MaxPageSize), not {limit}; page with offset."),
            var (from, size) => (new Page(from, size), null),
        };

    public IReadOnlyList<T> Slice<T>(IReadOnlyList<T> all) => all.Skip(Offset).Take(Limit).ToList();

    /// <summary>The answer: this page's items, the list's total and the next page's query (null on the last page).</summary>
    public object Answer<T>(IEnumerable<T> items, int total, string path) => new
    {
        Total = total,
        Offset,
        Limit,
        Next = Offset + Limit < total ? $"{path}?offset={Offset + Limit}&limit={Limit}" : null,
        Items = items,
    };

    public static IResult Refused(string path, string problem) =>
        Results.Problem($"GET {path}: {problem}", statusCode: StatusCodes.Status400BadRequest);
}
