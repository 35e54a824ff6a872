using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// One decoded frame: stored pixel values laid out as native Pixel Data would hold them (little endian, Bits Allocated per
/// sample), described by <see cref="Format"/>, which may differ from the dataset's (a JPEG decoder yields RGB from YBR).
/// </summary>
public sealed class PixelFrame
{
    private readonly byte[] _data;

    public PixelFrame(ImagePixelModule format, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < format.FrameLength)
        {
            throw new PixelDataException($"a frame of {format.Rows}x{format.Columns}x{format.SamplesPerPixel} at {format.BitsAllocated} bits needs {format.FrameLength} bytes, got {data.Length}");
        }
        Format = format;
        this._data = data;
    }

    public ImagePixelModule Format { get; }

    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>Samples in the frame; fewer than pixels × samples per pixel for native YBR_FULL_422, whose chroma is shared by two pixels.</summary>
    public int SampleCount => Format.BitsAllocated == 1
        ? Format.PixelCount * Format.SamplesPerPixel
        : (int)(Format.FrameLength / (Format.BitsAllocated / 8));

    /// <summary>The samples as their machine type (byte, ushort, short, uint, int …); the bytes are little endian.</summary>
    public ReadOnlySpan<T> Samples<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(_data.AsSpan(0, checked((int)Format.FrameLength)));

    /// <summary>
    /// The stored value of one sample: the Bits Stored bits that end at High Bit, sign-extended when Pixel Representation
    /// is 1 (PS3.5 §8.1.1); bits outside them (e.g. old overlay planes) are ignored.
    /// </summary>
    public long StoredValue(int sampleIndex)
    {
        var format = Format;
        ulong raw = format.BitsAllocated switch
        {
            1 => (ulong)((_data[sampleIndex >> 3] >> (sampleIndex & 7)) & 1),
            8 => _data[sampleIndex],
            16 => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(sampleIndex * 2)),
            32 => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(sampleIndex * 4)),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(sampleIndex * 8)),
        };
        return StoredValue(raw, format.BitsStored, format.HighBit, format.IsSigned);
    }

    public long[] StoredValues()
    {
        var values = new long[SampleCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = StoredValue(i);
        }
        return values;
    }

    internal static long StoredValue(ulong raw, int bitsStored, int highBit, bool signed)
    {
        var shifted = raw >> (highBit + 1 - bitsStored);
        if (bitsStored >= 64)
        {
            return (long)shifted;
        }
        var value = shifted & ((1UL << bitsStored) - 1);
        if (signed && (value & (1UL << (bitsStored - 1))) != 0)
        {
            value |= ~0UL << bitsStored;
        }
        return (long)value;
    }
}
