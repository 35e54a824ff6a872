using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Dicom.Web;
using Cl2.Models.Checkpoints;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Training.Datasets;

/// <summary>
/// A study whose result a radiologist accepted, read as a training case: the model's own output is its label. The
/// result's DICOM Segmentation is read from labeling's archive (inference stores it there with its Archive delivery)
/// onto the series it was made on, each segment becoming the class its label names. Read for single-series
/// segmentation workloads (liver CT); an accepted classification (an SR) or a multi-series result is left out with
/// the reason, to be corrected rather than accepted when it should train.
/// </summary>
public static class AcceptedResultLabel
{
    public static async Task<(Tensor Input, Tensor Target, IReadOnlyList<double> Spacing)> LoadAsync(DicomWebClient archive, LabelledCase item,
        Workload workload, CancellationToken cancellationToken)
    {
        var resultUids = item.Label!.AcceptedResultUids!;
        if (workload.Output.Kind != OutputKind.Segmentation || workload.Channels.Count != 1)
        {
            throw new InvalidDataException(
                $"an accepted {workload.Name} result is not read as a label (only single-series segmentations are); correct the result to train on it");
        }
        var instances = await archive.SearchInstancesAsync(item.StudyInstanceUid, cancellationToken: cancellationToken);
        var segmentation = await ResultSegmentationAsync(archive, item.StudyInstanceUid, instances, resultUids, cancellationToken)
            ?? throw new InvalidDataException(
                $"the archive holds no segmentation of accepted result {item.Label.Id} ({string.Join(", ", resultUids)}); deliver results to the Archive destination to train on accepted ones");
        var sourceSeriesUid = segmentation.TryGetSequence(DicomTags.ReferencedSeriesSequence, out var referenced) && referenced.Items.Count > 0
            ? referenced.Items[0].GetStringOrDefault(DicomTags.SeriesInstanceUID)?.Trim()
            : null;
        if (string.IsNullOrEmpty(sourceSeriesUid))
        {
            throw new InvalidDataException($"the accepted result's segmentation names no Referenced Series Sequence (0008,1115) to lie on");
        }
        var sourceFiles = new List<DicomFile>();
        await foreach (var part in archive.RetrieveAsync(item.StudyInstanceUid, sourceSeriesUid, cancellationToken: cancellationToken))
        {
            sourceFiles.Add(DicomFile.Open(new MemoryStream(part)));
        }
        if (sourceFiles.Count == 0)
        {
            throw new InvalidDataException($"the archive holds no image of series {sourceSeriesUid}, which the accepted result was made on");
        }
        var series = DicomSeriesLoader.Load(sourceFiles);
        var labels = Labels(workload, Read(segmentation, sourceFiles));
        var (input, target) = TaskTensors.Segmentation(workload, [series], labels);
        return (input, target, [series.Geometry.SliceSpacing, series.Geometry.RowSpacing, series.Geometry.ColumnSpacing]);
    }

    /// <summary>One voxel value per voxel: each segment's voxels take the class of the output label the segment names
    /// (a later segment wins where two overlap); voxels of no segment are background.</summary>
    public static byte[] Labels(Workload workload, ReadSegmentation read)
    {
        var labels = new byte[read.Segments.Count == 0 ? 0 : read.Segments[0].Voxels.Length];
        foreach (var segment in read.Segments)
        {
            var value = IndexOf(workload.Output.Labels, segment.Description.Label);
            if (value < 1 || workload.ClassOf((byte)value) != value)
            {
                throw new InvalidDataException(
                    $"the accepted result's segment '{segment.Description.Label}' is not one of {workload.Name}'s outputs ({string.Join(", ", workload.Output.Labels.Skip(1))})");
            }
            for (var voxel = 0; voxel < labels.Length; voxel++)
            {
                if (segment.Voxels[voxel] != 0)
                {
                    labels[voxel] = (byte)value;
                }
            }
        }
        return labels.Length > 0 ? labels : throw new InvalidDataException("the accepted result's segmentation has no segment");
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i], label.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static ReadSegmentation Read(DicomDataset segmentation, List<DicomFile> sourceFiles)
    {
        try
        {
            return SegmentationReader.Read(segmentation, [.. sourceFiles.Select(file => file.Dataset)]);
        }
        catch (SegmentationException exception)
        {
            throw new InvalidDataException($"the accepted result's segmentation cannot be read onto its series: {exception.Message}", exception);
        }
    }

    /// <summary>The first of the result's objects in the archive that is a segmentation, or null.</summary>
    private static async Task<DicomDataset?> ResultSegmentationAsync(DicomWebClient archive, string studyUid, IReadOnlyList<DicomDataset> instances,
        IReadOnlyList<string> resultUids, CancellationToken cancellationToken)
    {
        foreach (var instance in instances)
        {
            var sopInstanceUid = instance.GetStringOrDefault(DicomTags.SOPInstanceUID)?.Trim();
            var seriesUid = instance.GetStringOrDefault(DicomTags.SeriesInstanceUID)?.Trim();
            if (sopInstanceUid is null || seriesUid is null || !resultUids.Contains(sopInstanceUid))
            {
                continue;
            }
            var file = DicomFile.Open(new MemoryStream(await archive.RetrieveInstanceAsync(studyUid, seriesUid, sopInstanceUid, cancellationToken: cancellationToken)));
            if (file.Dataset.GetStringOrDefault(DicomTags.SOPClassUID)?.Trim() == DicomUids.SegmentationStorage.Value)
            {
                return file.Dataset;
            }
        }
        return null;
    }
}
