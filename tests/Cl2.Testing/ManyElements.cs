using System.Buffers.Binary;

namespace Cl2.Testing;

/// <summary>Issue 14's element-count probe, scaled down: a few bytes on the wire that are many objects in a parser's memory.</summary>
public static class ManyElements
{
    /// <summary>
    /// A private sequence (7FE1,1001) of undefined length holding <paramref name="count"/> empty items, in Explicit VR Little
    /// Endian (8 bytes per item): appended to a data set, it gives it that many more items to count.
    /// </summary>
    public static byte[] EmptyItems(int count)
    {
        var bytes = new byte[12 + (8 * count) + 8];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0x7FE1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 0x1001);
        "SQ"u8.CopyTo(bytes.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 0xFFFFFFFF);
        for (var at = 12; at < bytes.Length; at += 8)
        {
            var delimiter = at == bytes.Length - 8;
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), 0xFFFE);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 2), delimiter ? (ushort)0xE0DD : (ushort)0xE000);
        }
        return bytes;
    }
}
