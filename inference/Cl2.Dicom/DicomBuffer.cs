using System.Buffers.Binary;

namespace Cl2.Dicom;

/// <summary>
/// The bytes of a value, always little endian. Values read from a file above <see cref="DicomReaderOptions.LazyValueThreshold"/>
/// stay in the file (offset + length) and are read on demand, so that opening a 1 GB multi-frame file reads only its header.
/// </summary>
public abstract class DicomBuffer
{
    public static readonly DicomBuffer Empty = new MemoryBuffer(ReadOnlyMemory<byte>.Empty);

    public abstract long Length { get; }

    /// <summary>Whether the bytes are in memory; false for a value still in its file.</summary>
    public abstract bool IsLoaded { get; }

    /// <summary>All bytes. A file-backed buffer reads them on each call and does not keep them.</summary>
    public abstract ReadOnlyMemory<byte> GetBytes();

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/> (a frame, a fragment's slice).</summary>
    public abstract void Read(long offset, Span<byte> destination);

    public virtual void CopyTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(GetBytes().Span);
    }

    public static DicomBuffer FromBytes(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? Empty : new MemoryBuffer(bytes);

    internal static void SwapInPlace(Span<byte> bytes, int unitSize)
    {
        switch (unitSize)
        {
            case 2:
                var shorts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes[..(bytes.Length & ~1)]);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes[..(bytes.Length & ~3)]);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes[..(bytes.Length & ~7)]);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }
}

/// <summary>A value held in memory.</summary>
public sealed class MemoryBuffer(ReadOnlyMemory<byte> bytes) : DicomBuffer
{
    public override long Length => bytes.Length;

    public override bool IsLoaded => true;

    public override ReadOnlyMemory<byte> GetBytes() => bytes;

    public override void Read(long offset, Span<byte> destination) => bytes.Span.Slice(checked((int)offset), destination.Length).CopyTo(destination);
}

/// <summary>
/// A value left in its file: <see cref="Offset"/> and <see cref="Length"/> locate it. Big endian files record the unit to
/// swap so that callers always see little endian.
/// </summary>
public sealed class FileBuffer(string path, long offset, long length, int swapUnitSize) : DicomBuffer
{
    public string Path { get; } = path;

    public long Offset { get; } = offset;

    public override long Length { get; } = length;

    public override bool IsLoaded => false;

    public override ReadOnlyMemory<byte> GetBytes()
    {
        if (Length > Array.MaxLength)
        {
            throw new InvalidOperationException($"the value of {Length} bytes at offset {Offset} of {Path} is too large for one array; read it in ranges");
        }
        var bytes = new byte[Length];
        Read(0, bytes);
        return bytes;
    }

    public override void Read(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset + destination.Length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{destination.Length} bytes at {offset} lie beyond the value's {Length} bytes");
        }
        using var handle = File.OpenHandle(Path);
        var done = 0;
        while (done < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[done..], Offset + offset + done);
            if (read == 0)
            {
                throw new DicomFormatException(Offset + offset + done, null, $"{Path} ended before the value's {Length} bytes (was it truncated after opening?)");
            }
            done += read;
        }
        if (swapUnitSize > 1)
        {
            SwapInPlace(destination, swapUnitSize);
        }
    }

    public override void CopyTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var chunk = new byte[Math.Min(Length, 1 << 20)];
        for (long done = 0; done < Length; done += chunk.Length)
        {
            var span = chunk.AsSpan(0, (int)Math.Min(chunk.Length, Length - done));
            Read(done, span);
            destination.Write(span);
        }
    }
}
