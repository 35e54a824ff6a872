namespace Cl2.Dicom.Imaging;

/// <summary>JPEG-LS lossless and near-lossless (ISO/IEC 14495-1) through Debian's CharLS.</summary>
public sealed class JpegLsCodec : IPixelDataCodec
{
    public IReadOnlyList<string> TransferSyntaxUids { get; } = [DicomUids.JPEGLSLossless.Value, DicomUids.JPEGLSNearLossless.Value];

    public unsafe PixelFrame Decode(ReadOnlySpan<byte> frame, ImagePixelModule format)
    {
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        frame = WithEndOfImage(frame);
        var decoder = CharLS.DecoderCreate();
        if (decoder == 0)
        {
            throw new PixelDataException("CharLS could not create a decoder");
        }
        try
        {
            byte[] decoded;
            CharLS.FrameInfo info;
            CharLS.InterleaveMode mode;
            fixed (byte* source = frame)
            {
                CharLS.Check(CharLS.SetSourceBuffer(decoder, source, (nuint)frame.Length), "set source");
                CharLS.Check(CharLS.ReadHeader(decoder), "read header");
                CharLS.Check(CharLS.GetFrameInfo(decoder, out info), "frame info");
                CharLS.Check(CharLS.GetInterleaveMode(decoder, out mode), "interleave mode");
                SampleBuffer.RequireGeometry(format, (int)info.Width, (int)info.Height, info.ComponentCount, "JPEG-LS");
                CharLS.Check(CharLS.GetDestinationSize(decoder, 0, out var size), "destination size");
                decoded = new byte[checked((int)size)];
                fixed (byte* destination = decoded)
                {
                    CharLS.Check(CharLS.DecodeToBuffer(decoder, destination, size, 0), "decode");
                }
            }
            return ToNative(decoded, info, mode, format);
        }
        finally
        {
            CharLS.DecoderDestroy(decoder);
        }
    }

    /// <summary>
    /// A truncated stream (no EOI marker) can keep CharLS 2.4 decoding the missing bits for tens of seconds; ending it
    /// with EOI makes CharLS stop at once with "structural problem".
    /// </summary>
    private static ReadOnlySpan<byte> WithEndOfImage(ReadOnlySpan<byte> frame)
    {
        var end = frame.Length >= 1 && frame[^1] == 0 ? frame[..^1] : frame;
        return end.Length >= 2 && end[^2] == 0xFF && end[^1] == 0xD9 ? frame : (byte[])[.. frame, 0xFF, 0xD9];
    }

    private static PixelFrame ToNative(byte[] decoded, CharLS.FrameInfo info, CharLS.InterleaveMode mode, ImagePixelModule format)
    {
        var decodedBytes = info.BitsPerSample > 8 ? 2 : 1;
        var bitsAllocated = Math.Max(format.BitsAllocated, decodedBytes * 8);
        var output = SampleBuffer.Interleaved(format, format.PhotometricInterpretation) with { BitsAllocated = bitsAllocated };
        var bytesPerSample = bitsAllocated / 8;
        var components = info.ComponentCount;
        var pixels = format.PixelCount;
        var data = new byte[output.FrameLength];
        for (var c = 0; c < components; c++)
        {
            for (var i = 0; i < pixels; i++)
            {
                // Without interleaving CharLS returns one plane per component; otherwise colour-by-pixel.
                var index = mode == CharLS.InterleaveMode.None ? (c * pixels) + i : (i * components) + c;
                uint value = decodedBytes == 2 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(decoded.AsSpan(index * 2)) : decoded[index];
                SampleBuffer.Write(data, (i * components) + c, bytesPerSample, value);
            }
        }
        return new PixelFrame(output, data);
    }
}
