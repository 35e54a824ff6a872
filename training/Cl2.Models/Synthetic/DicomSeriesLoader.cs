using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Models.Synthetic;

/// <summary>A series read into memory: its geometry as <see cref="SeriesVolume"/> assembled it, and the modality values
/// (stored value through the Modality LUT: HU for CT) in (slice, row, column) order, slices sorted along the normal.</summary>
public sealed record LoadedSeries(SeriesVolume Geometry, float[] Values, string Modality, string? FrameOfReferenceUid = null)
{
    public int Depth => Geometry.Slices.Count;

    public int Height => Geometry.Rows;

    public int Width => Geometry.Columns;
}

/// <summary>
/// Reads a folder of single-frame images of one series through Cl2.Dicom, the same path real data takes: every file is
/// parsed, geometry checked and sorted by <see cref="SeriesVolume.Assemble"/>, pixels decoded by the transfer syntax's codec.
/// </summary>
public static class DicomSeriesLoader
{
    public static LoadedSeries Load(string directory)
    {
        var files = Directory.GetFiles(directory, "*.dcm").Order(StringComparer.Ordinal).Select(path => DicomFile.Open(path)).ToList();
        return files.Count > 0 ? Load(files) : throw new FileNotFoundException($"{directory} holds no .dcm files");
    }

    /// <summary>The images of one series already parsed (e.g. retrieved with WADO-RS), in any order.</summary>
    public static LoadedSeries Load(IReadOnlyList<DicomFile> files)
    {
        ArgumentOutOfRangeException.ThrowIfZero(files.Count);
        var modality = files[0].Dataset.GetStringOrDefault(DicomTags.Modality, "OT")!.Trim();
        var frameOfReference = files[0].Dataset.GetStringOrDefault(DicomTags.FrameOfReferenceUID, null)?.Trim();
        if (files.Count == 1)
        {
            // A projection radiograph: one slice, no volume to assemble.
            var single = VolumeSlice.From(PlaneOf(files[0].Dataset));
            var geometry = new SeriesVolume([single], single.ImagePosition, single.RowDirection, single.ColumnDirection, single.Normal,
                single.RowSpacing, single.ColumnSpacing, 0);
            return new LoadedSeries(geometry, Values(files[0]), modality, frameOfReference);
        }
        var byId = files.ToDictionary(f => f.Dataset.GetString(DicomTags.SOPInstanceUID).Trim());
        var volume = SeriesVolume.Assemble(byId.Select(pair => VolumeSlice.From(pair.Value.Dataset, pair.Key)));
        var perSlice = volume.Rows * volume.Columns;
        var values = new float[volume.Slices.Count * perSlice];
        for (var z = 0; z < volume.Slices.Count; z++)
        {
            Values(byId[volume.Slices[z].Id]).CopyTo(values, z * perSlice);
        }
        return new LoadedSeries(volume, values, modality, frameOfReference);
    }

    private static float[] Values(DicomFile file)
    {
        var frame = DicomPixelData.From(file).DecodeFrame(0);
        var lut = ModalityLut.From(file.Dataset);
        var stored = frame.StoredValues();
        var values = new float[stored.Length];
        for (var i = 0; i < stored.Length; i++)
        {
            values[i] = (float)lut.Apply(stored[i]);
        }
        return values;
    }

    /// <summary>Radiographs have no Image Plane module; an identity plane at the origin with the imager spacing stands in.</summary>
    private static DicomDataset PlaneOf(DicomDataset dataset)
    {
        if (dataset.Contains(DicomTags.ImagePositionPatient))
        {
            return dataset;
        }
        var spacing = dataset.Contains(DicomTags.PixelSpacing)
            ? dataset.GetValues<double>(DicomTags.PixelSpacing)
            : dataset.Contains(DicomTags.ImagerPixelSpacing) ? dataset.GetValues<double>(DicomTags.ImagerPixelSpacing) : [1.0, 1.0];
        return new DicomDataset()
            .SetUid(DicomTags.SOPInstanceUID, dataset.GetString(DicomTags.SOPInstanceUID).Trim())
            .SetValues(DicomTags.ImagePositionPatient, 0.0, 0.0, 0.0)
            .SetValues(DicomTags.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
            .SetValues(DicomTags.PixelSpacing, spacing[0], spacing[1])
            .SetValues(DicomTags.Rows, dataset.GetValue<ushort>(DicomTags.Rows))
            .SetValues(DicomTags.Columns, dataset.GetValue<ushort>(DicomTags.Columns));
    }
}
