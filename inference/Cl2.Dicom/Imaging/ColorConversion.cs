namespace Cl2.Dicom.Imaging;

/// <summary>
/// Brings a colour frame to colour-by-pixel RGB (PS3.3 §C.7.6.3.1.2–3): RGB by plane is interleaved, YBR_FULL converted,
/// native YBR_FULL_422 (Y1 Y2 Cb Cr per pair of pixels) has its chroma repeated for both pixels and then converted.
/// </summary>
public static class ColorConversion
{
    public static PixelFrame ToRgb(PixelFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var format = frame.Format;
        if (format.SamplesPerPixel != 3)
        {
            throw new PixelDataException($"{format.PhotometricInterpretation} with {format.SamplesPerPixel} samples per pixel is not a colour image");
        }
        var photometric = format.PhotometricInterpretation;
        var pixels = format.PixelCount;
        var (first, second, third) = (new int[pixels], new int[pixels], new int[pixels]);
        if (photometric == PhotometricInterpretation.YbrFull422 && format.FrameLength < (long)pixels * 3 * (format.BitsAllocated / 8))
        {
            Read422(frame, first, second, third);
        }
        else
        {
            for (var i = 0; i < pixels; i++)
            {
                (first[i], second[i], third[i]) = format.PlanarConfiguration == 1
                    ? ((int)frame.StoredValue(i), (int)frame.StoredValue(pixels + i), (int)frame.StoredValue((2 * pixels) + i))
                    : ((int)frame.StoredValue(3 * i), (int)frame.StoredValue((3 * i) + 1), (int)frame.StoredValue((3 * i) + 2));
            }
        }
        switch (photometric)
        {
            case PhotometricInterpretation.Rgb:
                break;
            case PhotometricInterpretation.YbrFull or PhotometricInterpretation.YbrFull422:
                YbrConversion.ToRgbInPlace(first, second, third, format.BitsStored);
                break;
            default:
                throw new PixelDataException($"conversion of {photometric} to RGB is not supported");
        }
        var output = format with { PhotometricInterpretation = PhotometricInterpretation.Rgb, PlanarConfiguration = 0, PixelRepresentation = 0, HighBit = format.BitsStored - 1 };
        var data = new byte[output.FrameLength];
        var bytesPerSample = format.BitsAllocated / 8;
        for (var i = 0; i < pixels; i++)
        {
            SampleBuffer.Write(data, 3 * i, bytesPerSample, (uint)first[i]);
            SampleBuffer.Write(data, (3 * i) + 1, bytesPerSample, (uint)second[i]);
            SampleBuffer.Write(data, (3 * i) + 2, bytesPerSample, (uint)third[i]);
        }
        return new PixelFrame(output, data);
    }

    private static void Read422(PixelFrame frame, int[] y, int[] cb, int[] cr)
    {
        var format = frame.Format;
        var pairsPerRow = (format.Columns + 1) / 2;
        var sample = 0;
        for (var row = 0; row < format.Rows; row++)
        {
            for (var pair = 0; pair < pairsPerRow; pair++)
            {
                var x = (row * format.Columns) + (2 * pair);
                var y1 = (int)frame.StoredValue(sample++);
                var y2 = (int)frame.StoredValue(sample++);
                var blue = (int)frame.StoredValue(sample++);
                var red = (int)frame.StoredValue(sample++);
                (y[x], cb[x], cr[x]) = (y1, blue, red);
                if ((2 * pair) + 1 < format.Columns)
                {
                    (y[x + 1], cb[x + 1], cr[x + 1]) = (y2, blue, red);
                }
            }
        }
    }
}
