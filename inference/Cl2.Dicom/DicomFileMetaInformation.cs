using System.Buffers.Binary;

namespace Cl2.Dicom;

/// <summary>
/// The File Meta Information of a Part 10 file (PS3.10 §7.1): a 128-byte preamble, "DICM", then group 0002 in explicit
/// VR little endian, led by its group length (0002,0000). Every Part 10 header cl2 writes comes from <see cref="Write"/>,
/// so the same UIDs always give the same bytes.
/// </summary>
public static class DicomFileMetaInformation
{
    public const int PreambleLength = 128;

    /// <summary>Where group 0002 starts: after the preamble and the DICOM prefix "DICM".</summary>
    public const int MetaGroupOffset = PreambleLength + 4;

    /// <summary>Our Implementation Class UID, a UUID-derived UID under 2.25: the one in the files we write (0002,0012) and
    /// in our A-ASSOCIATE user information (PS3.7 §D.3.3.2, <see cref="Network.DicomNetworkOptions"/>). It is part of the
    /// bytes the listener's content addresses are computed over, so it never changes.</summary>
    public const string ImplementationClassUid = "2.25.243529167429716391926548961326473725561";

    /// <summary>Our Implementation Version Name, in files (0002,0013) and associations alike.</summary>
    public const string ImplementationVersionName = "CL2_DICOM_1";

    /// <summary>Meta groups are a few hundred bytes; a larger group length means the file is not what it says.</summary>
    public const int MaxGroupLength = 64 * 1024;

    /// <summary>(0002,0000) UL with its 4-byte value: tag, VR, 16-bit length, value.</summary>
    private const int GroupLengthElementLength = 12;

    /// <summary>The DICOM prefix (PS3.10 §7.1).</summary>
    public static ReadOnlySpan<byte> Prefix => "DICM"u8;

    /// <summary>File Meta Information Version 00 01 (PS3.10 Table 7.1-1).</summary>
    private static ReadOnlySpan<byte> Version => [0x00, 0x01];

    /// <summary>The group for a data set: version, its SOP class, instance and transfer syntax, and us as the implementation.</summary>
    public static DicomDataset Create(string sopClassUid, string sopInstanceUid, string transferSyntaxUid) =>
        new DicomDataset()
            .SetBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, Version.ToArray())
            .SetUid(DicomTags.MediaStorageSOPClassUID, sopClassUid)
            .SetUid(DicomTags.MediaStorageSOPInstanceUID, sopInstanceUid)
            .SetUid(DicomTags.TransferSyntaxUID, transferSyntaxUid)
            .SetUid(DicomTags.ImplementationClassUID, ImplementationClassUid)
            .SetString(DicomTags.ImplementationVersionName, DicomVR.SH, ImplementationVersionName);

    /// <summary>
    /// The group a file is written with in <paramref name="syntax"/>: the file's own group 0002 (group length aside), the
    /// transfer syntax set, and what PS3.10 requires filled in from the data set where the file lacks it.
    /// </summary>
    public static DicomDataset For(DicomFile file, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(syntax);
        var meta = new DicomDataset();
        foreach (var element in file.FileMetaInformation)
        {
            if (!element.Tag.IsGroupLength && element.Tag.Group == DicomTags.FileMetaInformationGroupLength.Group)
            {
                meta.Add(element);
            }
        }
        if (!meta.Contains(DicomTags.FileMetaInformationVersion))
        {
            meta.SetBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, Version.ToArray());
        }
        if (!meta.Contains(DicomTags.MediaStorageSOPClassUID) && file.Dataset.TryGetString(DicomTags.SOPClassUID, out var sopClass))
        {
            meta.SetUid(DicomTags.MediaStorageSOPClassUID, sopClass);
        }
        if (!meta.Contains(DicomTags.MediaStorageSOPInstanceUID) && file.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var sopInstance))
        {
            meta.SetUid(DicomTags.MediaStorageSOPInstanceUID, sopInstance);
        }
        meta.SetUid(DicomTags.TransferSyntaxUID, syntax.Uid);
        if (!meta.Contains(DicomTags.ImplementationClassUID))
        {
            meta.SetUid(DicomTags.ImplementationClassUID, ImplementationClassUid);
            meta.SetString(DicomTags.ImplementationVersionName, ImplementationVersionName);
        }
        return meta;
    }

    /// <summary>Writes preamble, "DICM", the group length and the group's elements (any group length in it is recomputed).</summary>
    public static void Write(Stream stream, DicomDataset meta)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(meta);
        var syntax = DicomTransferSyntax.ExplicitVRLittleEndian;
        using var body = new MemoryStream(256);
        DicomWriter.WriteDataset(body, meta, syntax);
        stream.Write(new byte[PreambleLength]);
        stream.Write(Prefix);
        var groupLength = new DicomDataset().SetValues(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, checked((uint)body.Length));
        DicomWriter.WriteElement(stream, groupLength.GetElement(DicomTags.FileMetaInformationGroupLength), syntax);
        body.Position = 0;
        body.CopyTo(stream);
    }

    /// <summary>What <see cref="Write"/> writes, as bytes.</summary>
    public static byte[] ToBytes(DicomDataset meta)
    {
        using var stream = new MemoryStream(512);
        Write(stream, meta);
        return stream.ToArray();
    }

    /// <summary>
    /// Reads preamble, "DICM" and group 0002, as far as its group length says and no further, from a stream at the start
    /// of a Part 10 file; returns the group and the offset of the data set. A file that does not lead with its group length,
    /// or whose group is longer than <see cref="MaxGroupLength"/>, is refused.
    /// </summary>
    /// <exception cref="DicomFormatException">The file is not Part 10, or its meta group is malformed or cut short.</exception>
    public static async Task<(DicomDataset Group, long DataSetOffset)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[MetaGroupOffset + GroupLengthElementLength];
        if (await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken) < head.Length
            || !head.AsSpan(PreambleLength, Prefix.Length).SequenceEqual(Prefix))
        {
            throw new DicomFormatException(PreambleLength, null, $"not a Part 10 file (no DICM prefix after the {PreambleLength}-byte preamble)");
        }
        var first = head.AsSpan(MetaGroupOffset);
        var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(first), BinaryPrimitives.ReadUInt16LittleEndian(first[2..]));
        if (tag != DicomTags.FileMetaInformationGroupLength || !DicomVR.TryParse(first[4..6], out var vr) || vr != DicomVR.UL
            || BinaryPrimitives.ReadUInt16LittleEndian(first[6..]) != sizeof(uint))
        {
            throw new DicomFormatException(MetaGroupOffset, tag, $"the file meta information does not start with its group length {DicomTags.FileMetaInformationGroupLength} UL");
        }
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(first[8..]);
        if (groupLength > MaxGroupLength)
        {
            throw new DicomFormatException(MetaGroupOffset, tag, $"file meta group length {groupLength} exceeds {MaxGroupLength}");
        }
        var whole = new byte[head.Length + groupLength];
        head.CopyTo(whole, 0);
        if (await stream.ReadAtLeastAsync(whole.AsMemory(head.Length), (int)groupLength, throwOnEndOfStream: false, cancellationToken) < groupLength)
        {
            throw new DicomFormatException(head.Length, null, "the file ends inside the file meta information");
        }
        using var bytes = new MemoryStream(whole, writable: false);
        var group = new DicomStreamReader(bytes, null, DicomReaderOptions.Default).ReadFileMetaInformation();
        return (group, whole.Length);
    }
}
