namespace Cl2.Dicom.Imaging;

/// <summary>
/// Native (uncompressed) pixel data, PS3.5 §8.1.1. The dataset already holds binary values little endian whatever the
/// syntax (the reader swaps big endian), so a native frame is its own decoding.
/// </summary>
public sealed class NativeCodec : IPixelDataCodec
{
    public IReadOnlyList<string> TransferSyntaxUids { get; } =
    [
        DicomUids.ImplicitVRLittleEndian.Value,
        DicomUids.ExplicitVRLittleEndian.Value,
        DicomUids.DeflatedExplicitVRLittleEndian.Value,
        DicomUids.ExplicitVRBigEndian.Value,
    ];

    public PixelFrame Decode(ReadOnlySpan<byte> frame, ImagePixelModule format)
    {
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        var length = checked((int)format.FrameLength);
        if (frame.Length < length)
        {
            throw new PixelDataException($"native frame holds {frame.Length} bytes, {length} expected for {format.Rows}x{format.Columns}x{format.SamplesPerPixel} at {format.BitsAllocated} bits");
        }
        return new PixelFrame(format with { NumberOfFrames = 1 }, frame[..length].ToArray());
    }
}
