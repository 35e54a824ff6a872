using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Segmentation;

/// <summary>
/// The source images of a segmentation as a grid: sorted along the normal (by <see cref="SeriesVolume.Assemble"/>; one image
/// is a grid of one slice), with the slice index of each SOP Instance UID.
/// </summary>
internal sealed class SourceSeries
{
    private SourceSeries(SeriesVolume volume, IReadOnlyList<DicomDataset> images)
    {
        Volume = volume;
        Images = images;
        SliceOf = images.Select((image, z) => (Uid(image), z)).ToDictionary(p => p.Item1, p => p.z, StringComparer.Ordinal);
    }

    public SeriesVolume Volume { get; }

    /// <summary>The images in slice order.</summary>
    public IReadOnlyList<DicomDataset> Images { get; }

    public IReadOnlyDictionary<string, int> SliceOf { get; }

    public DicomDataset First => Images[0];

    public int Rows => Volume.Rows;

    public int Columns => Volume.Columns;

    public int Depth => Images.Count;

    public int SliceVoxels => Rows * Columns;

    public string SeriesInstanceUid => First.GetString(DicomTags.SeriesInstanceUID).Trim();

    public static SourceSeries From(IReadOnlyList<DicomDataset> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new SegmentationException(SegmentationFailure.SourceNotOneSeries, "no source images were given");
        }
        foreach (var tag in new[] { DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.FrameOfReferenceUID })
        {
            var values = images.Select(i => i.GetStringOrDefault(tag, "")!.Trim()).Distinct(StringComparer.Ordinal).ToList();
            if (values.Count != 1 || values[0].Length == 0)
            {
                throw new SegmentationException(SegmentationFailure.SourceNotOneSeries,
                    $"the source images must share one {DicomDataset.Describe(tag)}; they have {string.Join(", ", values.Select(v => v.Length == 0 ? "(none)" : v))}");
            }
        }
        var byUid = new Dictionary<string, DicomDataset>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (image.GetValueOrDefault(DicomTags.NumberOfFrames, 1) > 1)
            {
                throw new SegmentationException(SegmentationFailure.MultiFrameSource,
                    $"source image {Uid(image)} has {image.GetValue<int>(DicomTags.NumberOfFrames)} frames; only single-frame source images are supported");
            }
            if (!byUid.TryAdd(Uid(image), image))
            {
                throw new SegmentationException(SegmentationFailure.SourceNotOneSeries, $"source image {Uid(image)} was given twice");
            }
        }
        if (byUid.Count == 1)
        {
            var slice = VolumeSlice.From(images[0]);
            return new SourceSeries(new SeriesVolume([slice], slice.ImagePosition, slice.RowDirection, slice.ColumnDirection, slice.Normal,
                slice.RowSpacing, slice.ColumnSpacing, 0), images);
        }
        var volume = SeriesVolume.Assemble(byUid.Select(pair => VolumeSlice.From(pair.Value, pair.Key)));
        return new SourceSeries(volume, volume.Slices.Select(s => byUid[s.Id]).ToList());
    }

    public static string Uid(DicomDataset image) => image.GetStringOrDefault(DicomTags.SOPInstanceUID, "")!.Trim();
}
