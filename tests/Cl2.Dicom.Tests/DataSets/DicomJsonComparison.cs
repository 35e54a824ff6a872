using System.Globalization;
using System.Text.Json.Nodes;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>
/// Compares our DICOM JSON with dcm2json's after this normalisation, rule by rule:
/// <list type="bullet">
/// <item>Key order: objects are compared as maps (PS3.18 does not order keys; both print in tag order anyway).</item>
/// <item>Number formatting: DS and IS compare as decimal numbers ("1.50" = 1.5); FL compares as 32-bit floats (dcm2json
/// prints nine significant digits, we print the shortest text that round-trips); FD compares as doubles.</item>
/// <item>Trailing padding: text compares after trailing spaces and NULs are removed (PS3.5 §6.2 padding).</item>
/// <item>Odd-length binary values: DCMTK pads them to even length when it reads them (PS3.5 §7.1.1); we keep the bytes
/// as encoded, so our value plus one zero byte must equal DCMTK's.</item>
/// </list>
/// Anything else is a mismatch, reported with its JSON path.
/// </summary>
internal static class DicomJsonComparison
{
    public static List<string> Compare(JsonNode? ours, JsonNode? theirs, string path = "", string? vr = null)
    {
        var differences = new List<string>();
        CompareNode(ours, theirs, path, vr, differences);
        return differences;
    }

    private static void CompareNode(JsonNode? ours, JsonNode? theirs, string path, string? vr, List<string> differences)
    {
        switch (ours, theirs)
        {
            case (null, null):
                return;
            case (JsonObject a, JsonObject b):
                var elementVR = a["vr"]?.GetValue<string>() ?? vr;
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    if (!a.ContainsKey(key))
                    {
                        differences.Add($"{path}/{key}: missing in ours");
                    }
                    else if (!b.ContainsKey(key))
                    {
                        differences.Add($"{path}/{key}: not in dcm2json's");
                    }
                    else
                    {
                        CompareNode(a[key], b[key], $"{path}/{key}", elementVR, differences);
                    }
                }
                return;
            case (JsonArray a, JsonArray b):
                if (a.Count != b.Count)
                {
                    differences.Add($"{path}: {a.Count} values in ours, {b.Count} in dcm2json's");
                    return;
                }
                for (var i = 0; i < a.Count; i++)
                {
                    CompareNode(a[i], b[i], $"{path}[{i}]", vr, differences);
                }
                return;
            case (JsonValue a, JsonValue b):
                if (!SameValue(a, b, path, vr))
                {
                    differences.Add($"{path} ({vr}): ours {Shorten(a.ToJsonString())}, dcm2json {Shorten(b.ToJsonString())}");
                }
                return;
            default:
                differences.Add($"{path}: ours {Shorten(ours?.ToJsonString())}, dcm2json {Shorten(theirs?.ToJsonString())}");
                return;
        }
    }

    private static bool SameValue(JsonValue ours, JsonValue theirs, string path, string? vr)
    {
        if (path.EndsWith("/InlineBinary", StringComparison.Ordinal))
        {
            var a = Convert.FromBase64String(ours.GetValue<string>());
            var b = Convert.FromBase64String(theirs.GetValue<string>());
            return a.AsSpan().SequenceEqual(b) || (a.Length % 2 == 1 && b.Length == a.Length + 1 && b[^1] == 0 && a.AsSpan().SequenceEqual(b.AsSpan(0, a.Length)));
        }
        if (ours.TryGetValue<string>(out var textA) && theirs.TryGetValue<string>(out var textB))
        {
            return textA.TrimEnd(' ', '\0') == textB.TrimEnd(' ', '\0');
        }
        var numberA = ours.ToJsonString();
        var numberB = theirs.ToJsonString();
        return vr switch
        {
            "FL" => (float)double.Parse(numberA, CultureInfo.InvariantCulture) == (float)double.Parse(numberB, CultureInfo.InvariantCulture),
            "FD" => double.Parse(numberA, CultureInfo.InvariantCulture) == double.Parse(numberB, CultureInfo.InvariantCulture),
            _ => decimal.TryParse(numberA, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
                && decimal.TryParse(numberB, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) ? a == b : numberA == numberB,
        };
    }

    private static string Shorten(string? text) => text is null ? "(absent)" : text.Length > 80 ? text[..77] + "..." : text;
}
