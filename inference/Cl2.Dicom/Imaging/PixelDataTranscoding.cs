using System.Buffers.Binary;

namespace Cl2.Dicom.Imaging;

/// <summary>Rewrites a file's pixel data in another transfer syntax: decoding to native, or encoding with an encoder.</summary>
public static class PixelDataTranscoding
{
    /// <summary>
    /// A copy whose pixel data is native in <paramref name="target"/> (an uncompressed syntax). The Image Pixel module is
    /// updated to what the decoder produced (e.g. RGB from YBR_FULL_422 JPEG, colour-by-pixel).
    /// </summary>
    public static DicomFile Decode(DicomFile file, DicomTransferSyntax target, PixelDataCodecs? codecs = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(target);
        if (target.IsEncapsulated)
        {
            throw new PixelDataException($"{target.Name} is not a native transfer syntax");
        }
        var pixelData = DicomPixelData.From(file);
        var frames = Enumerable.Range(0, pixelData.NumberOfFrames).Select(i => pixelData.DecodeFrame(i, codecs)).ToList();
        var format = frames[0].Format;
        var bytes = new byte[(frames.Sum(f => (long)f.Data.Length) + 1) & ~1L];
        var offset = 0;
        foreach (var frame in frames)
        {
            frame.Data.Span.CopyTo(bytes.AsSpan(offset));
            offset += frame.Data.Length;
        }
        var dataset = Copy(file.Dataset);
        WriteImagePixelModule(dataset, format);
        dataset.SetBytes(DicomTags.PixelData, format.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, bytes);
        return new DicomFile(file.FileMetaInformation, dataset, target);
    }

    /// <summary>A copy whose frames are encoded by <paramref name="encoder"/>, one fragment per frame, with a Basic Offset Table.</summary>
    public static DicomFile Encode(DicomFile file, IPixelDataEncoder encoder, DicomTransferSyntax target)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(target);
        var pixelData = DicomPixelData.From(file);
        var fragments = new List<DicomBuffer>(pixelData.NumberOfFrames);
        var offsets = new byte[4 * pixelData.NumberOfFrames];
        var position = 0u;
        for (var i = 0; i < pixelData.NumberOfFrames; i++)
        {
            var encoded = encoder.Encode(pixelData.DecodeFrame(i));
            if (encoded.Length % 2 == 1)
            {
                Array.Resize(ref encoded, encoded.Length + 1);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(offsets.AsSpan(4 * i), position);
            position += 8 + (uint)encoded.Length;
            fragments.Add(DicomBuffer.FromBytes(encoded));
        }
        var dataset = Copy(file.Dataset);
        // An encoder writes colour-by-pixel order into its segments; the dataset says so.
        if (pixelData.Format.SamplesPerPixel > 1)
        {
            dataset.SetValues(DicomTags.PlanarConfiguration, DicomVR.US, (ushort)0);
        }
        dataset.Add(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, DicomBuffer.FromBytes(offsets), fragments));
        return new DicomFile(file.FileMetaInformation, dataset, target);
    }

    private static DicomDataset Copy(DicomDataset dataset) => new(dataset.Where(e => e.Tag != DicomTags.PixelData));

    private static void WriteImagePixelModule(DicomDataset dataset, ImagePixelModule format)
    {
        dataset.SetValues(DicomTags.BitsAllocated, DicomVR.US, (ushort)format.BitsAllocated);
        dataset.SetValues(DicomTags.BitsStored, DicomVR.US, (ushort)format.BitsStored);
        dataset.SetValues(DicomTags.HighBit, DicomVR.US, (ushort)format.HighBit);
        dataset.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, format.PhotometricInterpretation);
        if (format.SamplesPerPixel > 1)
        {
            dataset.SetValues(DicomTags.PlanarConfiguration, DicomVR.US, (ushort)format.PlanarConfiguration);
        }
    }
}
