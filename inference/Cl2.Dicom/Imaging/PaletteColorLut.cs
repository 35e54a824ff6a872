using System.Buffers.Binary;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// The Palette Color Lookup Tables of PS3.3 §C.7.6.3.1.5–6: per channel a descriptor (entries, 0 meaning 65536; first
/// mapped value; 8 or 16 bits per entry) and the entries. Stored values below the first mapped value take the first entry,
/// above the last the last entry.
/// </summary>
public sealed record PaletteColorLut(int FirstMappedValue, int BitsPerEntry, ushort[] Red, ushort[] Green, ushort[] Blue)
{
    public static PaletteColorLut From(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!dataset.Contains(DicomTags.RedPaletteColorLookupTableData))
        {
            throw new PixelDataException("PALETTE COLOR image without Red Palette Color Lookup Table Data (0028,1201); segmented palettes are not supported");
        }
        var descriptor = Descriptor(dataset, DicomTags.RedPaletteColorLookupTableDescriptor);
        return new PaletteColorLut(descriptor.First, descriptor.Bits,
            Entries(dataset, DicomTags.RedPaletteColorLookupTableData, descriptor),
            Entries(dataset, DicomTags.GreenPaletteColorLookupTableData, Descriptor(dataset, DicomTags.GreenPaletteColorLookupTableDescriptor)),
            Entries(dataset, DicomTags.BluePaletteColorLookupTableData, Descriptor(dataset, DicomTags.BluePaletteColorLookupTableDescriptor)));
    }

    private static (int Entries, int First, int Bits) Descriptor(DicomDataset dataset, DicomTag tag)
    {
        var values = dataset.GetValues<int>(tag);
        if (values.Length != 3 || values[2] is not (8 or 16))
        {
            throw new PixelDataException($"{DicomDataset.Describe(tag)} must hold 3 values with 8 or 16 bits per entry");
        }
        // The descriptor is US or SS; a first mapped value read as US above 32767 belongs to a signed image.
        return (values[0] == 0 ? 65536 : values[0], values[1], values[2]);
    }

    private static ushort[] Entries(DicomDataset dataset, DicomTag tag, (int Entries, int First, int Bits) descriptor)
    {
        var bytes = ((DicomValueElement)dataset.GetElement(tag)).Buffer.GetBytes().Span;
        var entries = new ushort[descriptor.Entries];
        // 8-bit entries are usually packed two to a word; some writers give each its own word.
        var packed = descriptor.Bits == 8 && bytes.Length < 2 * descriptor.Entries;
        if (bytes.Length < (packed ? descriptor.Entries : 2 * descriptor.Entries))
        {
            throw new PixelDataException($"{DicomDataset.Describe(tag)} holds {bytes.Length} bytes, too few for {descriptor.Entries} entries");
        }
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = packed ? bytes[i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
        }
        return entries;
    }

    public (ushort R, ushort G, ushort B) Lookup(long storedValue)
    {
        var index = (int)Math.Clamp(storedValue - FirstMappedValue, 0, Red.Length - 1);
        return (Red[Math.Min(index, Red.Length - 1)], Green[Math.Min(index, Green.Length - 1)], Blue[Math.Min(index, Blue.Length - 1)]);
    }

    /// <summary>The frame as RGB of <see cref="BitsPerEntry"/> bits per sample.</summary>
    public PixelFrame Apply(PixelFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var format = frame.Format with
        {
            SamplesPerPixel = 3,
            BitsAllocated = BitsPerEntry,
            BitsStored = BitsPerEntry,
            HighBit = BitsPerEntry - 1,
            PixelRepresentation = 0,
            PlanarConfiguration = 0,
            PhotometricInterpretation = PhotometricInterpretation.Rgb,
        };
        var data = new byte[format.FrameLength];
        var bytesPerSample = BitsPerEntry / 8;
        for (var i = 0; i < frame.Format.PixelCount; i++)
        {
            var (r, g, b) = Lookup(frame.StoredValue(i));
            SampleBuffer.Write(data, 3 * i, bytesPerSample, r);
            SampleBuffer.Write(data, (3 * i) + 1, bytesPerSample, g);
            SampleBuffer.Write(data, (3 * i) + 2, bytesPerSample, b);
        }
        return new PixelFrame(format, data);
    }
}
