namespace Cl2.Dicom;

/// <summary>Which numbers a repeating range of the registry covers (DCMTK writes "6000-60FF" for even groups).</summary>
public enum RangeParity
{
    Any,
    Even,
    Odd,
}

/// <summary>
/// One row of the registry of data elements (PS3.6 §6). Repeating groups such as Overlay Data (60xx,3000) cover a
/// range of groups; <see cref="ValueRepresentations"/> lists the alternatives where PS3.6 gives "US or SS" and the like.
/// </summary>
public sealed record DicomDictionaryEntry(ushort GroupLow, ushort GroupHigh, RangeParity GroupParity, ushort ElementLow, ushort ElementHigh,
    string VRs, string ValueMultiplicity, string Keyword, bool IsRetired)
{
    public DicomTag Tag => new(GroupLow, ElementLow);

    public IReadOnlyList<DicomVR> ValueRepresentations { get; } =
        VRs.Length == 0 ? [] : VRs.Split('|').Select(DicomVR.Parse).ToArray();

    /// <summary>The VR to assume when the encoding does not say (implicit VR): the first alternative, or UN.</summary>
    public DicomVR DefaultVR => ValueRepresentations.Count > 0 ? ValueRepresentations[0] : DicomVR.UN;

    public bool IsRange => GroupLow != GroupHigh || ElementLow != ElementHigh;

    public bool Covers(DicomTag tag) =>
        tag.Group >= GroupLow && tag.Group <= GroupHigh && tag.Element >= ElementLow && tag.Element <= ElementHigh
        && GroupParity switch
        {
            RangeParity.Even => (tag.Group & 1) == 0,
            RangeParity.Odd => (tag.Group & 1) == 1,
            _ => true,
        };
}

/// <summary>A private data element known to DCMTK: its block is found through the creator that reserved it.</summary>
public sealed record DicomPrivateDictionaryEntry(ushort Group, string Creator, byte ElementOffset, string VRs, string ValueMultiplicity, string Keyword)
{
    public DicomVR DefaultVR => VRs.Length == 0 ? DicomVR.UN : DicomVR.Parse(VRs.Split('|')[0]);
}
