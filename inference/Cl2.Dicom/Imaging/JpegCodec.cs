using JpegLibrary;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// JPEG (ISO/IEC 10918-1) through JpegLibrary: baseline (process 1), extended (processes 2 and 4, 12-bit), and lossless
/// (process 14, any predictor including selection value 1). As DCMTK's <c>dcmdjpeg</c> does by default, frames whose
/// Photometric Interpretation is YBR come out as RGB, with libjpeg's fixed-point conversion and triangular chroma
/// upsampling, so that both decoders agree to within one step of rounding.
/// </summary>
public sealed class JpegCodec : IPixelDataCodec
{
    public IReadOnlyList<string> TransferSyntaxUids { get; } =
    [
        DicomUids.JPEGBaseline8Bit.Value,
        DicomUids.JPEGExtended12Bit.Value,
        DicomUids.JPEGLossless.Value,
        DicomUids.JPEGLosslessSV1.Value,
    ];

    public PixelFrame Decode(ReadOnlySpan<byte> frame, ImagePixelModule format)
    {
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        var decoder = new JpegDecoder();
        decoder.SetInput(frame.ToArray());
        try
        {
            decoder.Identify();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new PixelDataException($"JPEG header is malformed: {exception.Message}", exception);
        }
        var components = decoder.NumberOfComponents;
        SampleBuffer.RequireGeometry(format, decoder.Width, decoder.Height, components, "JPEG");
        var lossless = decoder.StartOfFrame is JpegMarker.StartOfFrame3 or JpegMarker.StartOfFrame7 or JpegMarker.StartOfFrame11 or JpegMarker.StartOfFrame15;
        var precision = decoder.Precision;
        var writer = new ComponentPlanes(decoder.Width, decoder.Height, components, lossless, (1 << precision) - 1);
        decoder.SetOutputWriter(writer);
        try
        {
            decoder.Decode();
        }
        catch (Exception exception) when (exception is not PixelDataException and not OutOfMemoryException)
        {
            // JpegLibrary signals a malformed stream with whatever exception its parser hits first.
            throw new PixelDataException($"JPEG stream cannot be decoded: {exception.Message}", exception);
        }

        var planes = new int[components][];
        var (predictor, pointTransform, restarts) = lossless ? LosslessJpegPrediction.ReadScanParameters(frame) : (0, 0, false);
        var repair = lossless && LosslessJpegPrediction.NeedsRepair(predictor);
        if (repair && (restarts || pointTransform != 0))
        {
            throw new PixelDataException($"lossless JPEG with predictor {predictor} and restart intervals or a point transform is not supported");
        }
        int maxH = decoder.GetMaximumHorizontalSampling(), maxV = decoder.GetMaximumVerticalSampling();
        for (var c = 0; c < components; c++)
        {
            planes[c] = lossless
                ? Repaired(writer.Crop(c))
                : ChromaUpsampling.Upsample(writer, c, maxH / decoder.GetHorizontalSampling(c), maxV / decoder.GetVerticalSampling(c),
                    decoder.GetHorizontalSampling(c), decoder.GetVerticalSampling(c), maxH, maxV);
        }

        int[] Repaired(int[] plane)
        {
            if (repair)
            {
                LosslessJpegPrediction.Repair(plane, decoder.Width, decoder.Height, predictor, precision);
            }
            return plane;
        }

        var photometric = format.PhotometricInterpretation;
        if (!lossless && components == 3 && photometric is PhotometricInterpretation.YbrFull or PhotometricInterpretation.YbrFull422)
        {
            YbrConversion.ToRgbInPlace(planes[0], planes[1], planes[2], precision);
            photometric = PhotometricInterpretation.Rgb;
        }

        var bitsAllocated = precision > 8 ? Math.Max(16, format.BitsAllocated) : format.BitsAllocated;
        var output = SampleBuffer.Interleaved(format, photometric) with { BitsAllocated = bitsAllocated };
        var bytesPerSample = bitsAllocated / 8;
        var data = new byte[output.FrameLength];
        var pixels = format.PixelCount;
        for (var i = 0; i < pixels; i++)
        {
            for (var c = 0; c < components; c++)
            {
                SampleBuffer.Write(data, (i * components) + c, bytesPerSample, (uint)planes[c][i]);
            }
        }
        return new PixelFrame(output, data);
    }

    /// <summary>Collects JpegLibrary's 8x8 blocks into one padded plane per component, at full (upsampled) resolution.</summary>
    internal sealed class ComponentPlanes : JpegBlockOutputWriter
    {
        private readonly bool _lossless;
        private readonly int _maximum;

        public ComponentPlanes(int width, int height, int components, bool lossless, int maximum)
        {
            Width = width;
            Height = height;
            // JpegLibrary writes whole blocks of whole MCUs; pad so that none falls outside.
            Stride = ((width + 31) / 32 * 32) + 32;
            PaddedHeight = ((height + 31) / 32 * 32) + 32;
            this._lossless = lossless;
            this._maximum = maximum;
            Planes = new int[components][];
            for (var c = 0; c < components; c++)
            {
                Planes[c] = new int[Stride * PaddedHeight];
            }
        }

        public int Width { get; }

        public int Height { get; }

        public int Stride { get; }

        public int PaddedHeight { get; }

        public int[][] Planes { get; }

        public override void WriteBlock(ref short blockRef, int componentIndex, int x, int y)
        {
            var plane = Planes[componentIndex];
            for (var j = 0; j < 8 && y + j < PaddedHeight; j++)
            {
                for (var i = 0; i < 8 && x + i < Stride; i++)
                {
                    var sample = System.Runtime.CompilerServices.Unsafe.Add(ref blockRef, (j * 8) + i);
                    // Lossless samples are up to 16 bits wide, handed over in a short; lossy ones may overshoot the range.
                    plane[((y + j) * Stride) + x + i] = _lossless ? (ushort)sample : Math.Clamp((int)sample, 0, _maximum);
                }
            }
        }

        public int[] Crop(int component)
        {
            var result = new int[Width * Height];
            for (var y = 0; y < Height; y++)
            {
                Array.Copy(Planes[component], y * Stride, result, y * Width, Width);
            }
            return result;
        }
    }
}
