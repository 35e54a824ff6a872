using static TorchSharp.torch;

namespace Cl2.Models.Transforms;

/// <summary>
/// Resampling a C×spatial volume (2-D or 3-D) from its voxel spacing to a target spacing, as MONAI's Spacing: the
/// output size is round(size·spacing/target) per axis; images interpolate (trilinear, bilinear in 2-D), label maps
/// take the nearest voxel so no new label values appear.
/// </summary>
public static class Resample
{
    public static Tensor Image(Tensor image, IReadOnlyList<double> spacing, IReadOnlyList<double> targetSpacing) =>
        Run(image, spacing, targetSpacing, labels: false);

    public static Tensor Labels(Tensor labels, IReadOnlyList<double> spacing, IReadOnlyList<double> targetSpacing) =>
        Run(labels, spacing, targetSpacing, labels: true);

    /// <summary>
    /// Resizes a C×spatial volume to <paramref name="size"/> voxels per spatial axis (as MONAI's Resized): for bringing
    /// cases of different sizes onto one tensor shape; the spacing changes by the same factor.
    /// </summary>
    public static Tensor ToSize(Tensor volume, IReadOnlyList<long> size, bool labels)
    {
        using var scope = NewDisposeScope();
        if (volume.shape.Skip(1).SequenceEqual(size))
        {
            return volume.alias().MoveToOuterDisposeScope();
        }
        var spatial = (int)volume.dim() - 1;
        var batch = volume.unsqueeze(0).to_type(ScalarType.Float32);
        var mode = labels ? InterpolationMode.Nearest : spatial == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        var resized = nn.functional.interpolate(batch, [.. size], mode: mode, align_corners: labels ? null : false).squeeze(0);
        return (labels ? resized.round().to_type(volume.dtype) : resized).MoveToOuterDisposeScope();
    }

    /// <summary>The size after resampling, per spatial axis.</summary>
    public static long[] OutputSize(IReadOnlyList<long> size, IReadOnlyList<double> spacing, IReadOnlyList<double> targetSpacing) =>
        size.Select((s, axis) => Math.Max(1, (long)Math.Round(s * spacing[axis] / targetSpacing[axis]))).ToArray();

    private static Tensor Run(Tensor volume, IReadOnlyList<double> spacing, IReadOnlyList<double> targetSpacing, bool labels)
    {
        var spatial = (int)volume.dim() - 1;
        if (spatial is not (2 or 3) || spacing.Count != spatial || targetSpacing.Count != spatial)
        {
            throw new ArgumentException($"resampling takes a C×spatial volume with 2 or 3 spatial axes and a spacing for each; got shape {string.Join('×', volume.shape)}, spacing {spacing.Count}, target {targetSpacing.Count}");
        }
        if (targetSpacing.Any(s => s <= 0))
        {
            throw new ArgumentException("a target spacing must be positive");
        }
        using var scope = NewDisposeScope();
        var size = OutputSize(volume.shape.Skip(1).ToArray(), spacing, targetSpacing);
        var batch = volume.unsqueeze(0).to_type(ScalarType.Float32);
        var mode = labels ? InterpolationMode.Nearest : spatial == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        var resampled = nn.functional.interpolate(batch, size, mode: mode, align_corners: labels ? null : false).squeeze(0);
        return (labels ? resampled.round().to_type(volume.dtype) : resampled).MoveToOuterDisposeScope();
    }
}
