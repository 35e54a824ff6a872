namespace Cl2.Dicom.Imaging;

/// <summary>
/// What volume assembly needs of one image of a series: Image Position and Orientation (Patient) and Pixel Spacing
/// (PS3.3 §C.7.6.2, §C.7.6.3), its size, and an identifier for messages (the SOP Instance UID or a path).
/// </summary>
public sealed record VolumeSlice(
    string Id,
    PatientVector ImagePosition,
    PatientVector RowDirection,
    PatientVector ColumnDirection,
    double RowSpacing,
    double ColumnSpacing,
    int Rows,
    int Columns)
{
    /// <summary>The slice normal: row direction × column direction.</summary>
    public PatientVector Normal => RowDirection.Cross(ColumnDirection).Normalized();

    public static VolumeSlice From(DicomDataset dataset, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        id ??= dataset.GetStringOrDefault(DicomTags.SOPInstanceUID, "(no SOP Instance UID)")!;
        double[] Values(DicomTag tag, int count) =>
            dataset.TryGetValue<double>(tag, out _) && dataset.GetValues<double>(tag) is { } values && values.Length == count
                ? values
                : throw new VolumeAssemblyException(VolumeAssemblyFailure.MissingGeometry,
                    $"slice {id} lacks {DicomDataset.Describe(tag)} with {count} values");
        var position = Values(DicomTags.ImagePositionPatient, 3);
        var orientation = Values(DicomTags.ImageOrientationPatient, 6);
        var spacing = Values(DicomTags.PixelSpacing, 2);
        // Pixel Spacing is row spacing (between rows, along a column) then column spacing (PS3.3 §10.7.1.3).
        return new VolumeSlice(id,
            new PatientVector(position[0], position[1], position[2]),
            new PatientVector(orientation[0], orientation[1], orientation[2]),
            new PatientVector(orientation[3], orientation[4], orientation[5]),
            spacing[0], spacing[1],
            dataset.GetValue<int>(DicomTags.Rows), dataset.GetValue<int>(DicomTags.Columns));
    }
}
