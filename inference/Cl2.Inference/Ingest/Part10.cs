using System.Buffers.Binary;
using System.Text;
using Cl2.Dicom;

namespace Cl2.Inference.Ingest;

/// <summary>
/// The preamble, "DICM" and File Meta Information (PS3.10 7.1) we put before a received data set. It depends only on
/// SOP class, SOP instance and transfer syntax, so the same data set always gives the same Part 10 bytes and the same
/// content address, whoever sent it.
/// </summary>
public static class Part10
{
    private const int PreambleLength = 128;

    public static byte[] FileMetaInformation(string sopClassUid, string sopInstanceUid, string transferSyntaxUid)
    {
        using var group = new MemoryStream(256);
        WriteOb(group, 0x0001, [0x00, 0x01]);
        WriteShort(group, 0x0002, "UI", sopClassUid, 0);
        WriteShort(group, 0x0003, "UI", sopInstanceUid, 0);
        WriteShort(group, 0x0010, "UI", transferSyntaxUid, 0);
        WriteShort(group, 0x0012, "UI", DicomWriter.ImplementationClassUid, 0);
        WriteShort(group, 0x0013, "SH", DicomWriter.ImplementationVersionName, (byte)' ');

        var bytes = new byte[PreambleLength + 4 + 12 + group.Length];
        "DICM"u8.CopyTo(bytes.AsSpan(PreambleLength));
        var header = bytes.AsSpan(PreambleLength + 4);
        WriteTag(header, 0x0000);
        "UL"u8.CopyTo(header[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)group.Length);
        group.GetBuffer().AsSpan(0, (int)group.Length).CopyTo(header[12..]);
        return bytes;
    }

    private static void WriteTag(Span<byte> span, ushort element)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], element);
    }

    private static void WriteShort(MemoryStream stream, ushort element, string vr, string value, byte padding)
    {
        var text = Encoding.ASCII.GetBytes(value);
        var length = text.Length + (text.Length & 1);
        Span<byte> header = stackalloc byte[8];
        WriteTag(header, element);
        Encoding.ASCII.GetBytes(vr, header[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)length);
        stream.Write(header);
        stream.Write(text);
        if (length != text.Length)
        {
            stream.WriteByte(padding);
        }
    }

    private static void WriteOb(MemoryStream stream, ushort element, byte[] value)
    {
        Span<byte> header = stackalloc byte[12];
        WriteTag(header, element);
        "OB"u8.CopyTo(header[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)value.Length);
        stream.Write(header);
        stream.Write(value);
    }
}
