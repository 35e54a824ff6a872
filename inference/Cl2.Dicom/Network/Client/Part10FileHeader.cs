using System.Buffers.Binary;
using System.Text;

namespace Cl2.Dicom.Network.Client;

/// <summary>
/// The little an SCU needs from a Part 10 file (PS3.10 7.1): SOP class and instance from the file meta information,
/// its transfer syntax, and where the data set starts. The meta group is skipped by its group length (0002,0000),
/// so the network layer does not depend on the data set model.
/// </summary>
public sealed record Part10FileHeader(string MediaStorageSopClassUid, string MediaStorageSopInstanceUid, string TransferSyntaxUid, long DataSetOffset)
{
    private const int PreambleLength = 128;
    private const uint FileMetaInformationGroupLength = 0x0002_0000;
    private const uint MediaStorageSopClassUidTag = 0x0002_0002;
    private const uint MediaStorageSopInstanceUidTag = 0x0002_0003;
    private const uint TransferSyntaxUidTag = 0x0002_0010;

    /// <summary>Meta groups are a few hundred bytes; a larger group length means the file is not what it says.</summary>
    public const int MaxMetaGroupLength = 64 * 1024;

    /// <summary>Explicit VR with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).</summary>
    private static readonly HashSet<string> LongLengthVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    public static async Task<Part10FileHeader> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await ReadAsync(file, path, cancellationToken);
    }

    public static async Task<Part10FileHeader> ReadAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var prefix = new byte[PreambleLength + 4 + 12];
        if (await stream.ReadAtLeastAsync(prefix, prefix.Length, false, cancellationToken) < prefix.Length
            || !prefix.AsSpan(PreambleLength, 4).SequenceEqual("DICM"u8))
        {
            throw new InvalidDataException($"{name}: not a Part 10 file (no DICM prefix after the 128-byte preamble)");
        }
        var first = prefix.AsSpan(PreambleLength + 4);
        if (Tag(first) != FileMetaInformationGroupLength || first[4] != 'U' || first[5] != 'L' || BinaryPrimitives.ReadUInt16LittleEndian(first[6..]) != 4)
        {
            throw new InvalidDataException($"{name}: the file meta information does not start with its group length (0002,0000) UL");
        }
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(first[8..]);
        if (groupLength > MaxMetaGroupLength)
        {
            throw new InvalidDataException($"{name}: file meta group length {groupLength} exceeds {MaxMetaGroupLength}");
        }
        var group = new byte[groupLength];
        if (await stream.ReadAtLeastAsync(group, group.Length, false, cancellationToken) < group.Length)
        {
            throw new InvalidDataException($"{name}: file ends inside the file meta information");
        }

        string? sopClass = null, sopInstance = null, transferSyntax = null;
        var offset = 0;
        while (offset < group.Length)
        {
            var at = PreambleLength + 4 + 12 + offset;
            if (group.Length - offset < 8)
            {
                throw new InvalidDataException($"{name}: element header at offset {at} runs past the file meta information");
            }
            var span = group.AsSpan(offset);
            var tag = Tag(span);
            var vr = Encoding.ASCII.GetString(span.Slice(4, 2));
            int headerLength;
            uint length;
            if (LongLengthVrs.Contains(vr))
            {
                if (group.Length - offset < 12)
                {
                    throw new InvalidDataException($"{name}: element header at offset {at} runs past the file meta information");
                }
                headerLength = 12;
                length = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
            }
            else
            {
                headerLength = 8;
                length = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
            }
            if (length > (uint)(group.Length - offset - headerLength))
            {
                throw new InvalidDataException($"{name}: element ({tag >> 16:X4},{tag & 0xFFFF:X4}) at offset {at} runs past the file meta information");
            }
            var value = Encoding.ASCII.GetString(span.Slice(headerLength, (int)length)).TrimEnd('\0', ' ');
            switch (tag)
            {
                case MediaStorageSopClassUidTag: sopClass = value; break;
                case MediaStorageSopInstanceUidTag: sopInstance = value; break;
                case TransferSyntaxUidTag: transferSyntax = value; break;
                default: break;
            }
            offset += headerLength + (int)length;
        }
        return new Part10FileHeader(
            sopClass ?? throw Missing(name, "Media Storage SOP Class UID (0002,0002)"),
            sopInstance ?? throw Missing(name, "Media Storage SOP Instance UID (0002,0003)"),
            transferSyntax ?? throw Missing(name, "Transfer Syntax UID (0002,0010)"),
            PreambleLength + 4 + 12 + groupLength);
    }

    private static uint Tag(ReadOnlySpan<byte> span) =>
        (uint)BinaryPrimitives.ReadUInt16LittleEndian(span) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);

    private static InvalidDataException Missing(string name, string what) => new($"{name}: file meta information lacks {what}");
}
