using Cl2.Models.Transforms;

namespace Cl2.Models.Workloads;

/// <summary>
/// How a segmentation workload samples its training data: cases resampled to <see cref="Spacing"/>, random patches of
/// <see cref="PatchSize"/> of which <see cref="ForegroundRatio"/> are centred on a labelled voxel (MONAI's
/// RandCropByPosNegLabel), each augmented; validation runs a sliding window of the patch size over every whole volume.
/// A case smaller than the patch is padded with zeros (background after normalisation); a patch larger than every
/// training case shrinks to the largest, so small cohorts train on whole volumes.
/// </summary>
/// <param name="PatchSize">Voxels per spatial axis, in array order (slices, rows, columns).</param>
/// <param name="Spacing">The training grid's spacing in array order (mm); null keeps the first training case's.</param>
public sealed record PatchSampling(IReadOnlyList<long> PatchSize, double ForegroundRatio, Augmentation Augmentation, IReadOnlyList<double>? Spacing = null)
{
    /// <summary>The patch for cases whose largest extents are <paramref name="largest"/>: never larger than those.</summary>
    public long[] PatchFor(IReadOnlyList<long> largest) => [.. PatchSize.Select((edge, axis) => Math.Min(edge, largest[axis]))];
}
