namespace Cl2.Dicom.Imaging;

/// <summary>
/// A VOI window (PS3.3 §C.11.2.1.2): Window Center and Window Width applied with the LINEAR function of
/// §C.11.2.1.2.1, which maps [c − 0.5 − (w − 1)/2, c − 0.5 + (w − 1)/2] onto the output range.
/// </summary>
public sealed record VoiWindow(double Center, double Width)
{
    public static VoiWindow? From(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.TryGetValue<double>(DicomTags.WindowCenter, out var center) &&
               dataset.TryGetValue<double>(DicomTags.WindowWidth, out var width) && width >= 1
            ? new VoiWindow(center, width)
            : null;
    }

    /// <summary>A window that spans the values present, for images that declare none.</summary>
    public static VoiWindow Spanning(double minimum, double maximum) =>
        new((minimum + maximum + 1) / 2, Math.Max(1, maximum - minimum + 1));

    public double Apply(double value, double outputMinimum = 0, double outputMaximum = 255)
    {
        if (Width < 1)
        {
            throw new PixelDataException($"Window Width {Width} is below 1, which PS3.3 §C.11.2.1.2.1 forbids for LINEAR");
        }
        var lower = Center - 0.5 - ((Width - 1) / 2);
        var upper = Center - 0.5 + ((Width - 1) / 2);
        if (value <= lower)
        {
            return outputMinimum;
        }
        if (value > upper)
        {
            return outputMaximum;
        }
        return ((((value - (Center - 0.5)) / (Width - 1)) + 0.5) * (outputMaximum - outputMinimum)) + outputMinimum;
    }
}
