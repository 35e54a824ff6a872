using System.Text.RegularExpressions;
using Cl2.Dicom;

namespace Cl2.Inference.QueryRetrieve;

/// <summary>
/// C-FIND attribute matching (PS3.4 C.2.2.2), pure: universal (empty key), single value, UID list, wild card (* and ?)
/// and range (DA, TM, DT). Person names match case-insensitively (C.2.2.2.1 lets an SCP choose); everything else
/// exactly. A key with several values matches when any of them matches any of the attribute's values.
/// </summary>
public static class AttributeMatching
{
    public static bool Matches(string key, DicomVR vr, string? value)
    {
        if (key.Length == 0 || key == "*")
        {
            return true;
        }
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }
        var values = vr.Equals(DicomVR.PN) ? [value] : value.Split('\\');
        var keys = vr.Equals(DicomVR.PN) ? [key] : key.Split('\\');
        return keys.Any(single => values.Any(candidate => MatchesSingle(single.Trim(), vr, candidate.Trim())));
    }

    private static bool MatchesSingle(string key, DicomVR vr, string value)
    {
        if ((vr.Equals(DicomVR.DA) || vr.Equals(DicomVR.TM) || vr.Equals(DicomVR.DT)) && key.Contains('-', StringComparison.Ordinal))
        {
            return InRange(key, vr, value);
        }
        var comparison = vr.Equals(DicomVR.PN) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!vr.Equals(DicomVR.UI) && (key.Contains('*', StringComparison.Ordinal) || key.Contains('?', StringComparison.Ordinal)))
        {
            var pattern = "^" + Regex.Escape(key).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
            return Regex.IsMatch(value, pattern, comparison == StringComparison.OrdinalIgnoreCase ? RegexOptions.IgnoreCase | RegexOptions.CultureInvariant : RegexOptions.CultureInvariant,
                TimeSpan.FromSeconds(1));
        }
        return string.Equals(key, value, comparison);
    }

    /// <summary>"a-b", "a-" or "-b", inclusive; a time compares on the precision both sides have (PS3.4 C.2.2.2.5).</summary>
    private static bool InRange(string key, DicomVR vr, string value)
    {
        var dash = key.IndexOf('-', StringComparison.Ordinal);
        var (low, high) = (key[..dash].Trim(), key[(dash + 1)..].Trim());
        var normalized = vr.Equals(DicomVR.TM) ? value.Replace(":", "", StringComparison.Ordinal) : value;
        return (low.Length == 0 || Compare(normalized, low) >= 0) && (high.Length == 0 || Compare(normalized, high) <= 0);
    }

    private static int Compare(string value, string bound)
    {
        var length = Math.Min(value.Length, bound.Length);
        return string.CompareOrdinal(value[..length], bound[..length]);
    }
}
