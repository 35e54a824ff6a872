using System.Globalization;

namespace Cl2.Labeling.Archive;

/// <summary>
/// One media range of an Accept header (RFC 9110 §12.5.1) with the parameters PS3.18 §8.7 gives meaning to: the
/// <c>type</c> of a multipart/related part and the <c>transfer-syntax</c> asked for.
/// </summary>
public sealed record MediaRange(string MediaType, string? PartType, string? TransferSyntax, double Quality)
{
    /// <summary>What no Accept header at all asks for.</summary>
    public static readonly MediaRange Any = new("*/*", null, null, 1);

    public bool IsAny => MediaType == "*/*";

    public bool IsMultipartRelated => MediaType is "multipart/related" or "multipart/*";

    /// <summary>True for a range that names <paramref name="mediaType"/>, directly or as "type/*" or "*/*".</summary>
    public bool Covers(string mediaType) =>
        IsAny || MediaType == mediaType || (MediaType.EndsWith("/*", StringComparison.Ordinal) && mediaType.StartsWith(MediaType[..^1], StringComparison.Ordinal));

    /// <summary>The ranges of every Accept header of the request, best first (q=0 left out); <see cref="Any"/> when there are none.</summary>
    public static IReadOnlyList<MediaRange> FromRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ranges = request.Headers.Accept.SelectMany(value => SplitOutsideQuotes(value ?? "", ',')).Select(Parse).OfType<MediaRange>()
            .Where(range => range.Quality > 0)
            .OrderByDescending(range => range.Quality) // stable: equal quality keeps the client's order
            .ToArray();
        return ranges.Length == 0 ? [Any] : ranges;
    }

    public static MediaRange? Parse(string text)
    {
        var pieces = SplitOutsideQuotes(text, ';');
        if (pieces.Count == 0 || pieces[0].Length == 0)
        {
            return null;
        }
        string? partType = null, transferSyntax = null;
        var quality = 1.0;
        foreach (var parameter in pieces.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }
            var name = parameter[..equals].Trim().ToLowerInvariant();
            var value = parameter[(equals + 1)..].Trim().Trim('"');
            switch (name)
            {
                case "type":
                    partType = value.ToLowerInvariant();
                    break;
                case "transfer-syntax":
                    transferSyntax = value;
                    break;
                case "q":
                    quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? Math.Clamp(q, 0, 1) : 1;
                    break;
            }
        }
        return new MediaRange(pieces[0].ToLowerInvariant(), partType, transferSyntax, quality);
    }

    public override string ToString() =>
        MediaType + (PartType is null ? "" : $"; type=\"{PartType}\"") + (TransferSyntax is null ? "" : $"; transfer-syntax={TransferSyntax}");

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var pieces = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (i == text.Length || (text[i] == separator && !quoted))
            {
                var piece = text[start..i].Trim();
                if (piece.Length > 0)
                {
                    pieces.Add(piece);
                }
                start = i + 1;
            }
        }
        return pieces;
    }
}
