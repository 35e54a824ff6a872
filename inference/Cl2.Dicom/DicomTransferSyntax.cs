namespace Cl2.Dicom;

/// <summary>A transfer syntax (PS3.5 §10): how the dataset is encoded, and whether pixel data is encapsulated.</summary>
public sealed record DicomTransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsBigEndian, bool IsDeflated, bool IsEncapsulated)
{
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new(DicomUids.ImplicitVRLittleEndian.Value, "Implicit VR Little Endian", false, false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new(DicomUids.ExplicitVRLittleEndian.Value, "Explicit VR Little Endian", true, false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new(DicomUids.ExplicitVRBigEndian.Value, "Explicit VR Big Endian", true, true, false, false);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new(DicomUids.DeflatedExplicitVRLittleEndian.Value, "Deflated Explicit VR Little Endian", true, false, true, false);

    /// <summary>The syntaxes whose pixel data is native, so that a dataset can be converted between them without a codec.</summary>
    public static IReadOnlyList<DicomTransferSyntax> Uncompressed { get; } =
        [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian];

    /// <summary>
    /// The syntax for a UID. Every other registered or private transfer syntax is treated as explicit VR little endian
    /// with encapsulated pixel data, as PS3.5 §A.4 requires of all compressed syntaxes.
    /// </summary>
    public static DicomTransferSyntax Lookup(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var trimmed = uid.TrimEnd('\0', ' ');
        foreach (var known in Uncompressed)
        {
            if (known.Uid == trimmed)
            {
                return known;
            }
        }
        var name = DicomUids.Find(trimmed)?.Name ?? trimmed;
        var deflated = trimmed == DicomUids.JPIPReferencedDeflate.Value;
        return new DicomTransferSyntax(trimmed, name, IsExplicitVR: true, IsBigEndian: false, IsDeflated: deflated, IsEncapsulated: !deflated);
    }

    public override string ToString() => $"{Name} ({Uid})";
}
