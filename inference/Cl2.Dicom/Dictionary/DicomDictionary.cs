using System.Collections.Frozen;

namespace Cl2.Dicom;

/// <summary>Look-ups in the generated registry of data elements (PS3.6 §6) and DCMTK's private dictionary.</summary>
public static partial class DicomDictionary
{

    private static readonly DicomDictionaryEntry GroupLength = new(0, 0xFFFF, RangeParity.Any, 0, 0, "UL", "1", "GroupLength", false);

    private static readonly DicomDictionaryEntry PrivateCreator = new(0x0009, 0xFFFF, RangeParity.Odd, 0x0010, 0x00FF, "LO", "1", "PrivateCreator", false);

    public static IReadOnlyList<DicomDictionaryEntry> Entries => Registry;

    public static IReadOnlyList<DicomPrivateDictionaryEntry> PrivateEntries => PrivateRegistry;

    /// <summary>The registry entry of a standard tag, group lengths and private creators included; null if unknown.</summary>
    public static DicomDictionaryEntry? Find(DicomTag tag)
    {
        if (Index.ByTag.TryGetValue(tag.Value, out var entry))
        {
            return entry;
        }
        if (tag.IsGroupLength)
        {
            return GroupLength;
        }
        if (tag.IsPrivateCreator)
        {
            return PrivateCreator;
        }
        if (tag.IsPrivate)
        {
            return null;
        }
        foreach (var range in Index.Ranges)
        {
            if (range.Covers(tag))
            {
                return range;
            }
        }
        return null;
    }

    public static DicomDictionaryEntry? Find(string keyword) => Index.ByKeyword.GetValueOrDefault(keyword);

    /// <summary>A private element by its creator: (0029,1010) with creator "SIEMENS CSA HEADER" is offset 0x10 of that block.</summary>
    public static DicomPrivateDictionaryEntry? FindPrivate(DicomTag tag, string creator) =>
        Index.Private.GetValueOrDefault((tag.Group, creator, (byte)(tag.Element & 0xFF)));

    /// <summary>The VR to use when the encoding does not carry one (implicit VR, PS3.5 Annex A.1).</summary>
    public static DicomVR ImplicitVR(DicomTag tag, string? privateCreator = null)
    {
        if (tag.IsPrivate && !tag.IsPrivateCreator && !tag.IsGroupLength)
        {
            return privateCreator is null ? DicomVR.UN : FindPrivate(tag, privateCreator)?.DefaultVR ?? DicomVR.UN;
        }
        return Find(tag)?.DefaultVR ?? DicomVR.UN;
    }

    public static string KeywordOf(DicomTag tag, string? privateCreator = null) =>
        tag.IsPrivate && !tag.IsPrivateCreator && privateCreator is not null
            ? FindPrivate(tag, privateCreator)?.Keyword ?? "Unknown Tag & Data"
            : Find(tag)?.Keyword ?? "Unknown Tag & Data";

    // A nested type so that its initialiser runs after the generated registry arrays, whatever the order of the partial files.
    private static class Index
    {
        public static readonly FrozenDictionary<uint, DicomDictionaryEntry> ByTag =
            Registry.Where(e => !e.IsRange).GroupBy(e => e.Tag.Value).ToFrozenDictionary(g => g.Key, g => g.Last());

        public static readonly DicomDictionaryEntry[] Ranges = Registry.Where(e => e.IsRange).ToArray();

        public static readonly FrozenDictionary<string, DicomDictionaryEntry> ByKeyword = Registry
            .GroupBy(e => e.Keyword, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(e => e.IsRetired).First(), StringComparer.Ordinal);

        public static readonly FrozenDictionary<(ushort Group, string Creator, byte Offset), DicomPrivateDictionaryEntry> Private = PrivateRegistry
            .GroupBy(e => (e.Group, e.Creator, e.ElementOffset))
            .ToFrozenDictionary(g => g.Key, g => g.Last());
    }
}
