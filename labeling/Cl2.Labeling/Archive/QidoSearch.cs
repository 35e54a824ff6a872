using System.Globalization;
using Cl2.Dicom;

namespace Cl2.Labeling.Archive;

public enum QidoLevel
{
    Study,
    Series,
    Instance,
}

/// <summary>A QIDO-RS search that the archive could not understand; answered 400 with this message.</summary>
public sealed class QidoSearchException(string message) : Exception(message);

/// <summary>
/// A QIDO-RS search (PS3.18 §8.3.4): the level, matching keys by keyword (tags "ggggeeee" are accepted too), limit and offset.
/// includefield and fuzzymatching are accepted; every attribute the index holds is always returned.
/// </summary>
public sealed record QidoSearch(QidoLevel Level, IReadOnlyList<KeyValuePair<string, string>> Match, int Limit, int Offset)
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "includefield", "fuzzymatching", "limit", "offset" };

    public static QidoSearch Parse(QidoLevel level, IEnumerable<KeyValuePair<string, string?>> parameters, int maxResults,
        string? studyInstanceUid = null, string? seriesInstanceUid = null)
    {
        var match = new List<KeyValuePair<string, string>>();
        int limit = maxResults, offset = 0;
        foreach (var (name, value) in parameters)
        {
            var text = value ?? "";
            if (name.Equals("limit", StringComparison.OrdinalIgnoreCase))
            {
                limit = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
                    ? Math.Min(parsed, maxResults)
                    : throw new QidoSearchException($"limit must be a positive whole number, got '{text}'");
            }
            else if (name.Equals("offset", StringComparison.OrdinalIgnoreCase))
            {
                offset = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw new QidoSearchException($"offset must be a whole number of 0 or more, got '{text}'");
            }
            else if (!Reserved.Contains(name) && text.Length > 0)
            {
                var keyword = KeywordOf(name);
                if (!QidoSql.Supports(level, keyword))
                {
                    throw new QidoSearchException(
                        $"'{name}' is not a matching key the archive supports at {level.ToString().ToLowerInvariant()} level; use one of: {string.Join(", ", QidoSql.KeysAt(level))}");
                }
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    throw new QidoSearchException($"the value of {keyword} holds a NUL character (%00), which no DICOM value has: leave it out");
                }
                if (QidoSql.IsUidKey(keyword) && QidoSql.UidList(text).FirstOrDefault(uid => !DicomUid.IsValid(uid)) is { } invalid)
                {
                    throw new QidoSearchException(
                        $"'{ArchiveEndpoints.Printable(invalid)}' in {keyword} is not a DICOM UID: {DicomUid.Rule}; several are separated by '\\' or ','");
                }
                match.Add(KeyValuePair.Create(keyword, text));
            }
        }
        if (studyInstanceUid is not null)
        {
            match.Add(KeyValuePair.Create("StudyInstanceUID", studyInstanceUid));
        }
        if (seriesInstanceUid is not null)
        {
            match.Add(KeyValuePair.Create("SeriesInstanceUID", seriesInstanceUid));
        }
        return new QidoSearch(level, match, limit, offset);
    }

    private static string KeywordOf(string name)
    {
        if (name.Length == 8 && uint.TryParse(name, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            return DicomDictionary.KeywordOf(DicomTag.FromValue(value));
        }
        return name;
    }
}
