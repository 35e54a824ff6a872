using Cl2.Dicom;
using Cl2.Models.Datasets;
using Cl2.Models.Inference;
using Cl2.Models.Synthetic;

namespace Cl2.Inference.Serving;

/// <summary>
/// A shadow's output as a blob in the format of a label of its kind (the formats the training worker reads), kept in
/// labeling so a radiologist's later correction of production's result can be compared with it there: a segmentation
/// is a <see cref="MaskArchive"/> of its class per voxel on the reference series' grid, each class named as the
/// workload's output label; a classification is a <see cref="ClassificationLabel"/> with its decision.
/// </summary>
public static class ShadowOutput
{
    public static byte[] Of(WorkloadResult result)
    {
        var seriesUids = result.Sources.Select(source => source.SeriesInstanceUid).ToList();
        if (result.Classification is { } decided)
        {
            return new ClassificationLabel(ClassificationLabel.CurrentFormat, seriesUids, new Dictionary<string, bool> { [decided.Finding.Name] = decided.Present }).ToJson();
        }
        var mask = result.Segmentation ?? throw new InvalidOperationException("The shadow made neither a segmentation nor a classification.");
        var grid = result.Sources[0].Geometry;
        var labels = result.Workload.Output.Labels;
        var header = new LabelVolume([mask.Depth, mask.Height, mask.Width], [grid.SliceSpacing, grid.RowSpacing, grid.ColumnSpacing],
            [grid.Origin.X, grid.Origin.Y, grid.Origin.Z],
            [grid.RowDirection.X, grid.RowDirection.Y, grid.RowDirection.Z, grid.ColumnDirection.X, grid.ColumnDirection.Y, grid.ColumnDirection.Z],
            result.Sources[0].Instances[0].GetStringOrDefault(DicomTags.FrameOfReferenceUID, "")!.Trim(), seriesUids,
            Enumerable.Range(1, labels.Count - 1).ToDictionary(value => value.ToString(System.Globalization.CultureInfo.InvariantCulture), value => labels[value]),
            LabelVolume.DataFileName);
        using var tar = new MemoryStream();
        MaskArchive.Write(tar, header, mask.Classes);
        return tar.ToArray();
    }
}
