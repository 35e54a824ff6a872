using System.Buffers.Binary;
using System.Text;

namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A growable big-endian byte buffer with back-patched lengths, for encoding PDUs and their items.</summary>
internal sealed class PduBuffer(int capacity = 512)
{
    private byte[] _bytes = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public byte[] ToArray() => Written.ToArray();

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteZeros(int count) => Reserve(count).Clear();

    /// <summary>ASCII text; with <paramref name="fixedLength"/> padded with spaces (AE titles are 16 bytes).</summary>
    public void WriteAscii(string text, int fixedLength = 0)
    {
        var length = Math.Max(fixedLength, text.Length);
        var span = Reserve(length);
        span.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text, span);
    }

    /// <summary>Reserves a 2-byte length to be filled in by <see cref="EndLength16"/> once the content is written.</summary>
    public int BeginLength16()
    {
        WriteUInt16(0);
        return Length;
    }

    public void EndLength16(int start) =>
        BinaryPrimitives.WriteUInt16BigEndian(_bytes.AsSpan(start - 2, 2), checked((ushort)(Length - start)));

    public int BeginLength32()
    {
        WriteUInt32(0);
        return Length;
    }

    public void EndLength32(int start) =>
        BinaryPrimitives.WriteUInt32BigEndian(_bytes.AsSpan(start - 4, 4), checked((uint)(Length - start)));

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
        }
        var span = _bytes.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
