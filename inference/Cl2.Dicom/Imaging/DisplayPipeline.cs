namespace Cl2.Dicom.Imaging;

/// <summary>
/// The grayscale and colour pipelines of PS3.4 §N.2 for one frame: stored values → Modality LUT → VOI window → 8-bit
/// presentation values, inverted for MONOCHROME1; colour frames through their palette or to RGB, then to 8 bits.
/// </summary>
public static class DisplayPipeline
{
    /// <summary>Renders a decoded frame with the dataset's modality LUT, window and palette.</summary>
    public static DisplayImage Render(PixelFrame frame, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(dataset);
        var photometric = frame.Format.PhotometricInterpretation;
        return photometric == PhotometricInterpretation.PaletteColor
            ? RenderColor(PaletteColorLut.From(dataset).Apply(frame))
            : PhotometricInterpretation.IsMonochrome(photometric)
                ? RenderGrayscale(frame, ModalityLut.From(dataset), VoiWindow.From(dataset))
                : RenderColor(frame);
    }

    /// <summary>Without a window the values present are spread over the output range.</summary>
    public static DisplayImage RenderGrayscale(PixelFrame frame, ModalityLut modality, VoiWindow? window)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(modality);
        var format = frame.Format;
        if (!PhotometricInterpretation.IsMonochrome(format.PhotometricInterpretation) || format.SamplesPerPixel != 1)
        {
            throw new PixelDataException($"{format.PhotometricInterpretation} with {format.SamplesPerPixel} samples is not a grayscale image");
        }
        var values = new double[format.PixelCount];
        double minimum = double.MaxValue, maximum = double.MinValue;
        for (var i = 0; i < values.Length; i++)
        {
            var value = modality.Apply(frame.StoredValue(i));
            values[i] = value;
            minimum = Math.Min(minimum, value);
            maximum = Math.Max(maximum, value);
        }
        window ??= VoiWindow.Spanning(minimum, maximum);
        var invert = format.PhotometricInterpretation == PhotometricInterpretation.Monochrome1;
        var pixels = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var output = (byte)Math.Round(window.Apply(values[i]));
            pixels[i] = invert ? (byte)(255 - output) : output;
        }
        return new DisplayImage(format.Rows, format.Columns, 1, pixels);
    }

    public static DisplayImage RenderColor(PixelFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var rgb = frame.Format is { PhotometricInterpretation: PhotometricInterpretation.Rgb, PlanarConfiguration: 0 } ? frame : ColorConversion.ToRgb(frame);
        var shift = Math.Max(0, rgb.Format.BitsStored - 8);
        var pixels = new byte[rgb.SampleCount];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(rgb.StoredValue(i) >> shift, 0, 255);
        }
        return new DisplayImage(rgb.Format.Rows, rgb.Format.Columns, 3, pixels);
    }
}
