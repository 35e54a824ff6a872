namespace Cl2.Dicom;

/// <summary>A transfer syntax (PS3.5 §10): how the dataset is encoded, and whether pixel data is encapsulated.</summary>
public sealed record DicomTransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsBigEndian, bool IsDeflated, bool IsEncapsulated)
{
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new(DicomUids.ImplicitVRLittleEndian.Value, "Implicit VR Little Endian", false, false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new(DicomUids.ExplicitVRLittleEndian.Value, "Explicit VR Little Endian", true, false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new(DicomUids.ExplicitVRBigEndian.Value, "Explicit VR Big Endian", true, true, false, false);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new(DicomUids.DeflatedExplicitVRLittleEndian.Value, "Deflated Explicit VR Little Endian", true, false, true, false);

    /// <summary>
    /// The syntaxes whose pixel data is native (PS3.5 §8.2), so that a dataset can be converted between them without a
    /// pixel codec. Deflate is among them: it compresses the whole dataset, not the pixels.
    /// </summary>
    public static IReadOnlyList<DicomTransferSyntax> Native { get; } =
        [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian];

    /// <summary>
    /// The native syntaxes without deflate, in our order of preference: what any peer reads with neither a codec nor an
    /// inflater, so what an association offers (SCU) and accepts (SCP) when nothing else is asked for, as DCMTK's
    /// storescu and storescp do.
    /// </summary>
    public static IReadOnlyList<string> UncompressedUids { get; } =
        [ExplicitVRLittleEndian.Uid, ImplicitVRLittleEndian.Uid, ExplicitVRBigEndian.Uid];

    /// <summary>What a storage SCP accepts by default: the uncompressed syntaxes, then deflate, RLE, the JPEG family, JPEG-LS
    /// and JPEG 2000 (the encapsulated syntaxes our codecs decode).</summary>
    public static IReadOnlyList<string> StorageDefaultUids { get; } =
    [
        .. UncompressedUids, DeflatedExplicitVRLittleEndian.Uid, DicomUids.RLELossless.Value,
        DicomUids.JPEGBaseline8Bit.Value, DicomUids.JPEGExtended12Bit.Value, DicomUids.JPEGLossless.Value, DicomUids.JPEGLosslessSV1.Value,
        DicomUids.JPEGLSLossless.Value, DicomUids.JPEGLSNearLossless.Value, DicomUids.JPEG2000Lossless.Value, DicomUids.JPEG2000.Value,
    ];

    /// <summary>
    /// The syntax for a UID. Every other registered or private transfer syntax is treated as explicit VR little endian
    /// with encapsulated pixel data, as PS3.5 §A.4 requires of all compressed syntaxes.
    /// </summary>
    public static DicomTransferSyntax Lookup(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var trimmed = uid.TrimEnd('\0', ' ');
        foreach (var known in Native)
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
