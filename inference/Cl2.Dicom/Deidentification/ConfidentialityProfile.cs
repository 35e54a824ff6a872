using System.Collections.Frozen;

namespace Cl2.Dicom.Deidentification;

/// <summary>PS3.15 Table E.1-1, generated from confidentiality_profile.tsv by generate.py.</summary>
public static partial class ConfidentialityProfile
{
    public static IReadOnlyList<ConfidentialityProfileAttribute> Attributes => Table;

    /// <summary>The row that covers <paramref name="tag"/>: its own, else its repeating group's, else the private row; null if none.</summary>
    public static ConfidentialityProfileAttribute? Find(DicomTag tag)
    {
        if (Index.ByTag.TryGetValue(tag.Value, out var attribute))
        {
            return attribute;
        }
        foreach (var pattern in Index.Patterns)
        {
            if (pattern.Tag.Matches(tag))
            {
                return pattern;
            }
        }
        return null;
    }

    // A nested type so that its initialiser runs after the generated table, whatever the order of the partial files.
    private static class Index
    {
        public static readonly FrozenDictionary<uint, ConfidentialityProfileAttribute> ByTag =
            Table.Where(a => a.Tag.IsSingleTag).ToFrozenDictionary(a => a.Tag.Tag.Value);

        public static readonly ConfidentialityProfileAttribute[] Patterns = Table.Where(a => !a.Tag.IsSingleTag).ToArray();
    }
}
