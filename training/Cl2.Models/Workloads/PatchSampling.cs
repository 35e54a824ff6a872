using System.Globalization;
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
    /// <summary>The largest spacing a recipe may ask for (mm): coarser grids hold no anatomy worth segmenting.</summary>
    public const double MaxSpacingMm = 50;

    /// <summary>The patch for cases whose largest extents are <paramref name="largest"/>: never larger than those.</summary>
    public long[] PatchFor(IReadOnlyList<long> largest) => [.. PatchSize.Select((edge, axis) => Math.Min(edge, largest[axis]))];

    /// <summary>
    /// How <paramref name="workload"/> samples for one job or run: its <see cref="Workload.Sampling"/> with the recipe's
    /// spacing and patch size (<see cref="With"/>); with <paramref name="onCasesGrid"/> the cases keep their own grid
    /// unless the recipe names a spacing (a synthetic cohort, whose size chose its grid). Null for a workload trained on
    /// whole images, which refuses a spacing or patch size.
    /// </summary>
    /// <exception cref="ArgumentException">The recipe's values do not fit the workload; the message says what would.</exception>
    public static PatchSampling? For(Workload workload, IReadOnlyList<double>? spacingXyz, IReadOnlyList<long>? patchXyz, bool onCasesGrid = false)
    {
        if (workload.Sampling is not { } sampling)
        {
            return spacingXyz is null && patchXyz is null ? null
                : throw new ArgumentException($"{workload.Name} trains on whole images, not patches: leave the spacing and patch size out");
        }
        return (onCasesGrid ? sampling with { Spacing = null } : sampling).With(spacingXyz, patchXyz);
    }

    /// <summary>
    /// The sampling a recipe asks for: its spacing and patch size in place of these where given. Both are listed as
    /// manifests and recipes list them (x, y, z: columns, rows, slices) and kept here in array order.
    /// </summary>
    /// <exception cref="ArgumentException">A value count other than the workload's spatial axes, or a value out of range; the message says which.</exception>
    public PatchSampling With(IReadOnlyList<double>? spacingXyz, IReadOnlyList<long>? patchXyz)
    {
        if (spacingXyz is not null && (spacingXyz.Count != PatchSize.Count || spacingXyz.Any(mm => !double.IsFinite(mm) || mm <= 0 || mm > MaxSpacingMm)))
        {
            throw new ArgumentException($"spacing needs {PatchSize.Count} values (x, y, z) in mm, each above 0 and at most {MaxSpacingMm}; got {Join(spacingXyz)}");
        }
        if (patchXyz is not null && (patchXyz.Count != PatchSize.Count || patchXyz.Any(edge => edge < 1)))
        {
            throw new ArgumentException($"patch size needs {PatchSize.Count} voxel counts (x, y, z), each at least 1; got {Join(patchXyz)}");
        }
        return this with
        {
            Spacing = spacingXyz is null ? Spacing : [.. spacingXyz.Reverse()],
            PatchSize = patchXyz is null ? PatchSize : [.. patchXyz.Reverse()],
        };
    }

    private static string Join<T>(IEnumerable<T> values) where T : IFormattable =>
        string.Join(", ", values.Select(value => value.ToString(null, CultureInfo.InvariantCulture)));
}
