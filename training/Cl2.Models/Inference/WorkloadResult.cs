using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Models.Checkpoints;
using Cl2.Models.Workloads;

namespace Cl2.Models.Inference;

/// <summary>What <see cref="WorkloadRunner"/> made of one study: the series it read, its masks or finding, and how long each stage took.</summary>
/// <param name="Sources">One per input channel, in channel order; the masks lie on the first one's grid.</param>
/// <param name="Segmentation">For a segmentation workload; null for classification.</param>
/// <param name="Classification">For a classification workload; null for segmentation.</param>
public sealed record WorkloadResult(
    Workload Workload,
    CheckpointManifest Manifest,
    IReadOnlyList<InputSeries> Sources,
    SegmentationOutput? Segmentation,
    ClassificationOutput? Classification,
    WorkloadTimings Timings);

/// <summary>One series a result refers to.</summary>
/// <param name="Instances">Its images' data sets in slice order (Geometry.Slices[z] is Instances[z]), pixel data included.</param>
public sealed record InputSeries(SelectedSeries Selection, SeriesVolume Geometry, IReadOnlyList<DicomDataset> Instances)
{
    public string SeriesInstanceUid => Selection.Series.SeriesInstanceUid;
}

/// <summary>
/// Masks on the source grid: <see cref="Classes"/> holds one class index per voxel in (slice, row, column) order, slices
/// in the order of the reference series' <see cref="SeriesVolume.Slices"/>.
/// </summary>
public sealed record SegmentationOutput(int Depth, int Height, int Width, byte[] Classes, IReadOnlyList<PredictedSegment> Segments);

/// <summary>One segment's binary mask (1 inside, 0 outside), in the same voxel order as <see cref="SegmentationOutput.Classes"/>.</summary>
public sealed record PredictedSegment(OutputSegment Segment, byte[] Mask, int Voxels);

/// <param name="Probability">The sigmoid of the network's logit: the model's probability that the finding is present.</param>
/// <param name="Present">Whether the probability reaches the workload's threshold.</param>
public sealed record ClassificationOutput(OutputFinding Finding, double Probability, bool Present, double Threshold);

/// <summary>How long each stage took: reading and assembling the series, resampling and normalising, the network, and
/// turning its output into masks or a finding on the source grid.</summary>
public sealed record WorkloadTimings(TimeSpan Load, TimeSpan Preprocess, TimeSpan Model, TimeSpan Postprocess)
{
    public TimeSpan Total => Load + Preprocess + Model + Postprocess;
}
