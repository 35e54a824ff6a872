using System.Globalization;
using System.Text;

namespace Cl2.Dicom.Web;

/// <summary>
/// The query parameters of a QIDO-RS search (PS3.18 §8.3.4): matching keys by keyword or tag ("PatientID=123",
/// "StudyDate=20200101-20201231", wildcards as the server allows), includefield, fuzzymatching, limit and offset.
/// </summary>
public sealed record QidoQuery
{
    public IReadOnlyList<KeyValuePair<string, string>> Match { get; init; } = [];

    public IReadOnlyList<string> IncludeFields { get; init; } = [];

    public int? Limit { get; init; }

    public int? Offset { get; init; }

    public bool FuzzyMatching { get; init; }

    public QidoQuery Where(string attribute, string value) => this with { Match = [.. Match, KeyValuePair.Create(attribute, value)] };

    public QidoQuery Include(params string[] attributes) => this with { IncludeFields = [.. IncludeFields, .. attributes] };

    public QidoQuery Page(int limit, int offset = 0) => this with { Limit = limit, Offset = offset };

    public string ToQueryString()
    {
        var parts = new List<string>();
        parts.AddRange(Match.Select(match => $"{Uri.EscapeDataString(match.Key)}={Uri.EscapeDataString(match.Value)}"));
        parts.AddRange(IncludeFields.Select(field => $"includefield={Uri.EscapeDataString(field)}"));
        if (FuzzyMatching)
        {
            parts.Add("fuzzymatching=true");
        }
        if (Limit is { } limit)
        {
            parts.Add($"limit={limit.ToString(CultureInfo.InvariantCulture)}");
        }
        if (Offset is { } offset)
        {
            parts.Add($"offset={offset.ToString(CultureInfo.InvariantCulture)}");
        }
        return parts.Count == 0 ? "" : new StringBuilder("?").AppendJoin('&', parts).ToString();
    }
}
