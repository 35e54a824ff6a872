using System.Buffers.Binary;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// The Pixel Data (7FE0,0010) of a dataset with the Image Pixel module that describes it, frame by frame. Frames are
/// decoded on request by the codec registered for the transfer syntax.
/// </summary>
public sealed class DicomPixelData
{
    private readonly DicomElement _element;
    private readonly DicomTransferSyntax _transferSyntax;
    private readonly DicomDataset _dataset;

    private DicomPixelData(DicomDataset dataset, DicomTransferSyntax transferSyntax, DicomElement element, ImagePixelModule format)
    {
        this._dataset = dataset;
        this._transferSyntax = transferSyntax;
        this._element = element;
        Format = format;
    }

    /// <summary>The attributes as the dataset declares them; a decoded frame says what it became (e.g. RGB from YBR).</summary>
    public ImagePixelModule Format { get; }

    public int NumberOfFrames => Format.NumberOfFrames;

    public DicomTransferSyntax TransferSyntax => _transferSyntax;

    public static DicomPixelData From(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return From(file.Dataset, file.TransferSyntax);
    }

    public static DicomPixelData From(DicomDataset dataset, DicomTransferSyntax transferSyntax)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transferSyntax);
        var element = dataset.Find(DicomTags.PixelData) ?? throw new PixelDataException("the dataset has no Pixel Data (7FE0,0010)");
        var format = ReadImagePixelModule(dataset);
        format.Validate();
        return new DicomPixelData(dataset, transferSyntax, element, format);
    }

    public static ImagePixelModule ReadImagePixelModule(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int Required(DicomTag tag) => dataset.TryGetValue<int>(tag, out var value)
            ? value
            : throw new PixelDataException($"the Image Pixel module lacks {DicomDataset.Describe(tag)}");
        var bitsAllocated = Required(DicomTags.BitsAllocated);
        var bitsStored = dataset.GetValueOrDefault(DicomTags.BitsStored, bitsAllocated);
        return new ImagePixelModule(
            Rows: Required(DicomTags.Rows),
            Columns: Required(DicomTags.Columns),
            SamplesPerPixel: dataset.GetValueOrDefault(DicomTags.SamplesPerPixel, 1),
            BitsAllocated: bitsAllocated,
            BitsStored: bitsStored,
            HighBit: dataset.GetValueOrDefault(DicomTags.HighBit, bitsStored - 1),
            PixelRepresentation: dataset.GetValueOrDefault(DicomTags.PixelRepresentation, 0),
            PlanarConfiguration: dataset.GetValueOrDefault(DicomTags.PlanarConfiguration, 0),
            PhotometricInterpretation: dataset.GetStringOrDefault(DicomTags.PhotometricInterpretation, PhotometricInterpretation.Monochrome2)!.Trim(),
            NumberOfFrames: Math.Max(1, dataset.GetValueOrDefault(DicomTags.NumberOfFrames, 1)));
    }

    /// <summary>Decodes frame <paramref name="index"/> (0-based).</summary>
    public PixelFrame DecodeFrame(int index, PixelDataCodecs? codecs = null)
    {
        if (index < 0 || index >= NumberOfFrames)
        {
            throw new PixelDataException($"frame {index} does not exist; the dataset has {NumberOfFrames} frame(s), numbered from 0");
        }
        var codec = (codecs ?? PixelDataCodecs.Default).Get(_transferSyntax.Uid);
        try
        {
            return codec.Decode(GetFrameBytes(index), Format);
        }
        catch (PixelDataException exception)
        {
            throw new PixelDataException($"frame {index} ({_transferSyntax.Name}): {exception.Message}", exception);
        }
    }

    /// <summary>What the transfer syntax stores for one frame: its native bytes, or its fragments joined.</summary>
    public byte[] GetFrameBytes(int index)
    {
        switch (_element)
        {
            case DicomFragmentSequence fragments:
                {
                    var extended = _dataset.Contains(DicomTags.ExtendedOffsetTable) ? _dataset.GetValues<ulong>(DicomTags.ExtendedOffsetTable) : null;
                    var frame = fragments.GetFrameFragments(NumberOfFrames, extended)[index];
                    var total = frame.Sum(f => f.Length);
                    if (total > Array.MaxLength)
                    {
                        throw new PixelDataException($"frame {index} has {total} bytes of fragments, more than one array holds");
                    }
                    var bytes = new byte[total];
                    var offset = 0;
                    foreach (var fragment in frame)
                    {
                        fragment.Read(0, bytes.AsSpan(offset, (int)fragment.Length));
                        offset += (int)fragment.Length;
                    }
                    return bytes;
                }
            case DicomValueElement native when !_transferSyntax.IsEncapsulated:
                return NativeFrame(native, index);
            default:
                throw new PixelDataException($"Pixel Data is {(_element is DicomValueElement ? "native" : _element.GetType().Name)} but {_transferSyntax.Name} {(_transferSyntax.IsEncapsulated ? "encapsulates it" : "stores it natively")}");
        }
    }

    private byte[] NativeFrame(DicomValueElement native, int index)
    {
        var frameLength = Format.FrameLength;
        if (Format.BitsAllocated == 1)
        {
            return BitFrame(native, index);
        }
        var start = frameLength * index;
        if (start + frameLength > native.Length)
        {
            throw new PixelDataException($"Pixel Data holds {native.Length} bytes; frame {index} needs bytes {start}..{start + frameLength}");
        }
        var bytes = new byte[frameLength];
        native.Buffer.Read(start, bytes);
        // The reader swaps OW in 16-bit words; a 32-bit sample of a big endian file also needs its two words exchanged.
        if (_transferSyntax.IsBigEndian && native.VR.UnitSize == 2 && Format.BitsAllocated == 32)
        {
            for (var i = 0; i + 4 <= bytes.Length; i += 4)
            {
                var value = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i), (value << 16) | (value >> 16));
            }
        }
        return bytes;
    }

    /// <summary>1-bit frames follow each other without padding (PS3.5 §8.1.1), so frame n may start mid-byte.</summary>
    private byte[] BitFrame(DicomValueElement native, int index)
    {
        var frameBits = (long)Format.PixelCount * Format.SamplesPerPixel;
        var firstBit = frameBits * index;
        var all = native.Buffer.GetBytes().Span;
        if ((firstBit + frameBits + 7) / 8 > all.Length)
        {
            throw new PixelDataException($"Pixel Data holds {all.Length} bytes; 1-bit frame {index} needs bits {firstBit}..{firstBit + frameBits}");
        }
        var bytes = new byte[Format.FrameLength];
        for (long bit = 0; bit < frameBits; bit++)
        {
            var source = firstBit + bit;
            if ((all[(int)(source >> 3)] & (1 << (int)(source & 7))) != 0)
            {
                bytes[bit >> 3] |= (byte)(1 << (int)(bit & 7));
            }
        }
        return bytes;
    }
}
