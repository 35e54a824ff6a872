using System.Runtime.InteropServices;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// JPEG 2000 (ISO/IEC 15444-1) through Debian's OpenJPEG. A frame may hold a bare codestream or a JP2 file (PS3.5 §A.4.4
/// asks for the codestream, but the JP2 wrapper occurs). OpenJPEG undoes the multiple-component transform, so YBR_RCT and
/// YBR_ICT frames come out as RGB. Signed components are written as two's complement in Bits Allocated.
/// </summary>
public sealed class Jpeg2000Codec : IPixelDataCodec
{
    public IReadOnlyList<string> TransferSyntaxUids { get; } =
        [DicomUids.JPEG2000Lossless.Value, DicomUids.JPEG2000.Value];

    public unsafe PixelFrame Decode(ReadOnlySpan<byte> frame, ImagePixelModule format)
    {
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        var isJp2 = frame.Length >= 12 && frame[4] == (byte)'j' && frame[5] == (byte)'P';
        Jpeg2000Header.Check(frame, isJp2, format);
        var codec = OpenJpeg.CreateDecompress(isJp2 ? OpenJpeg.CodecJP2 : OpenJpeg.CodecJ2K);
        var parameters = NativeMemory.AllocZeroed(OpenJpeg.DecoderParametersSize);
        var errors = (OpenJpeg.ErrorText*)NativeMemory.AllocZeroed((nuint)sizeof(OpenJpeg.ErrorText));
        var stream = OpenJpeg.StreamCreate(1 << 20, 1);
        OpenJpeg.Image* image = null;
        try
        {
            OpenJpeg.SetErrorHandler(codec, &OpenJpeg.OnError, errors);
            OpenJpeg.SetDefaultDecoderParameters(parameters);
            Require(OpenJpeg.SetupDecoder(codec, parameters), "set-up", errors);
            fixed (byte* bytes = frame)
            {
                var source = new OpenJpeg.MemoryStream { Data = bytes, Length = frame.Length, Position = 0 };
                OpenJpeg.StreamSetReadFunction(stream, &OpenJpeg.Read);
                OpenJpeg.StreamSetSkipFunction(stream, &OpenJpeg.Skip);
                OpenJpeg.StreamSetSeekFunction(stream, &OpenJpeg.Seek);
                OpenJpeg.StreamSetUserData(stream, &source, 0);
                OpenJpeg.StreamSetUserDataLength(stream, (ulong)frame.Length);
                Require(OpenJpeg.ReadHeader(stream, codec, out image), "header", errors);
                // Check the size before decoding: a hostile header must not make OpenJPEG allocate what it declares.
                SampleBuffer.RequireGeometry(format, (int)(image->X1 - image->X0), (int)(image->Y1 - image->Y0), (int)image->ComponentCount, "JPEG 2000");
                Require(OpenJpeg.Decode(codec, stream, image), "decode", errors);
                Require(OpenJpeg.EndDecompress(codec, stream), "end of codestream", errors);
            }
            return ToNative(image, format);
        }
        finally
        {
            if (image != null)
            {
                OpenJpeg.ImageDestroy(image);
            }
            OpenJpeg.StreamDestroy(stream);
            OpenJpeg.DestroyCodec(codec);
            NativeMemory.Free(parameters);
            NativeMemory.Free(errors);
        }
    }

    private static unsafe void Require(int result, string step, OpenJpeg.ErrorText* errors)
    {
        if (result == 0)
        {
            throw new PixelDataException($"JPEG 2000 {step} failed: {errors->Message()}");
        }
    }

    private static unsafe PixelFrame ToNative(OpenJpeg.Image* image, ImagePixelModule format)
    {
        var components = (int)image->ComponentCount;
        if (components < 1)
        {
            throw new PixelDataException("JPEG 2000 codestream has no components");
        }
        var first = image->Components[0];
        SampleBuffer.RequireGeometry(format, (int)first.Width, (int)first.Height, components, "JPEG 2000");
        var precision = 0;
        for (var c = 0; c < components; c++)
        {
            var component = image->Components[c];
            if (component.Width != first.Width || component.Height != first.Height || component.Data == null)
            {
                throw new PixelDataException($"JPEG 2000 component {c} is subsampled or empty, which DICOM does not allow");
            }
            precision = Math.Max(precision, (int)component.Precision);
        }
        var bitsAllocated = Math.Max(format.BitsAllocated, precision > 16 ? 32 : precision > 8 ? 16 : 8);
        var photometric = format.PhotometricInterpretation is PhotometricInterpretation.YbrRct or PhotometricInterpretation.YbrIct
            ? PhotometricInterpretation.Rgb
            : format.PhotometricInterpretation;
        var output = SampleBuffer.Interleaved(format, photometric) with { BitsAllocated = bitsAllocated };
        var bytesPerSample = bitsAllocated / 8;
        var data = new byte[output.FrameLength];
        var pixels = format.PixelCount;
        for (var c = 0; c < components; c++)
        {
            var samples = image->Components[c].Data;
            for (var i = 0; i < pixels; i++)
            {
                SampleBuffer.Write(data, (i * components) + c, bytesPerSample, unchecked((uint)samples[i]));
            }
        }
        return new PixelFrame(output, data);
    }
}
