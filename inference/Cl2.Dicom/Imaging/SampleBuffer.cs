using System.Buffers.Binary;

namespace Cl2.Dicom.Imaging;

/// <summary>Writes decoded samples into a native, little endian buffer of Bits Allocated per sample.</summary>
internal static class SampleBuffer
{
    public static void Write(Span<byte> destination, int sampleIndex, int bytesPerSample, uint value)
    {
        switch (bytesPerSample)
        {
            case 1:
                destination[sampleIndex] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(destination[(sampleIndex * 2)..], (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(sampleIndex * 4)..], value);
                break;
        }
    }

    /// <summary>A decoder's output format: interleaved samples, Bits Allocated to hold what the codestream declares.</summary>
    public static ImagePixelModule Interleaved(ImagePixelModule format, string photometricInterpretation) =>
        format with { PlanarConfiguration = 0, PhotometricInterpretation = photometricInterpretation, NumberOfFrames = 1 };

    public static void RequireGeometry(ImagePixelModule format, int columns, int rows, int components, string codec)
    {
        if (columns != format.Columns || rows != format.Rows || components != format.SamplesPerPixel)
        {
            throw new PixelDataException(
                $"{codec} stream is {columns}x{rows} with {components} components but the dataset declares {format.Columns}x{format.Rows} with {format.SamplesPerPixel} samples per pixel");
        }
    }
}
