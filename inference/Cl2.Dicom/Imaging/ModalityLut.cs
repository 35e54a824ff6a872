namespace Cl2.Dicom.Imaging;

/// <summary>The linear Modality LUT of PS3.3 §C.11.1: output units = stored value × Rescale Slope + Rescale Intercept.</summary>
public sealed record ModalityLut(double RescaleSlope, double RescaleIntercept)
{
    public static ModalityLut Identity { get; } = new(1, 0);

    public static ModalityLut From(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new ModalityLut(
            dataset.GetValueOrDefault(DicomTags.RescaleSlope, 1.0),
            dataset.GetValueOrDefault(DicomTags.RescaleIntercept, 0.0));
    }

    public double Apply(long storedValue) => (storedValue * RescaleSlope) + RescaleIntercept;
}
