namespace Cl2.Models.Training.Metrics;

/// <summary>
/// The percentile Hausdorff distance between two binary masks, in the units of the spacing (mm), as MONAI's
/// <c>compute_hausdorff_distance(percentile=95)</c>: surface voxels are mask voxels with a face neighbour outside the
/// mask (or outside the image); for each surface voxel of one mask the distance to the nearest surface voxel of the
/// other is taken; the result is the larger of the two directed percentiles (linear interpolation, as numpy's).
/// <para>Empty masks: both empty → 0 (they agree); exactly one empty → +∞ (there is no surface to measure to). Callers
/// that average over cases decide what to do with +∞; <see cref="SegmentationMetrics"/> averages the finite values and
/// counts the rest.</para>
/// </summary>
public static class HausdorffDistance
{
    public static double Percentile95(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, IReadOnlyList<int> shape,
        IReadOnlyList<double> spacing) => Percentile(prediction, truth, shape, spacing, 95);

    public static double Percentile(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, IReadOnlyList<int> shape,
        IReadOnlyList<double> spacing, double percentile)
    {
        var voxels = shape.Aggregate(1, (a, s) => a * s);
        if (prediction.Length != voxels || truth.Length != voxels || spacing.Count != shape.Count)
        {
            throw new ArgumentException($"Masks of {prediction.Length} and {truth.Length} voxels, spacing of {spacing.Count} axes, for shape {string.Join('×', shape)}.");
        }
        if (percentile is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is between 0 and 100.");
        }
        var predictionSurface = Surface(prediction, shape);
        var truthSurface = Surface(truth, shape);
        bool predictionEmpty = !predictionSurface.Contains(true), truthEmpty = !truthSurface.Contains(true);
        if (predictionEmpty && truthEmpty)
        {
            return 0;
        }
        if (predictionEmpty || truthEmpty)
        {
            return double.PositiveInfinity;
        }
        var forward = Directed(predictionSurface, truthSurface, shape, spacing);
        var backward = Directed(truthSurface, predictionSurface, shape, spacing);
        return Math.Max(Interpolated(forward, percentile), Interpolated(backward, percentile));
    }

    /// <summary>Mask voxels with at least one face neighbour (4 in 2-D, 6 in 3-D) outside the mask or the image.</summary>
    internal static bool[] Surface(ReadOnlySpan<bool> mask, IReadOnlyList<int> shape)
    {
        var strides = EuclideanDistanceTransform.Strides(shape);
        var surface = new bool[mask.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            if (!mask[i])
            {
                continue;
            }
            for (var axis = 0; axis < shape.Count && !surface[i]; axis++)
            {
                var coordinate = i / strides[axis] % shape[axis];
                surface[i] = coordinate == 0 || coordinate == shape[axis] - 1
                    || !mask[i - strides[axis]] || !mask[i + strides[axis]];
            }
        }
        return surface;
    }

    private static double[] Directed(bool[] from, bool[] to, IReadOnlyList<int> shape, IReadOnlyList<double> spacing)
    {
        var squared = EuclideanDistanceTransform.Squared(to, shape, spacing);
        var distances = new List<double>();
        for (var i = 0; i < from.Length; i++)
        {
            if (from[i])
            {
                distances.Add(Math.Sqrt(squared[i]));
            }
        }
        return [.. distances];
    }

    private static double Interpolated(double[] values, double percentile)
    {
        Array.Sort(values);
        var rank = percentile / 100 * (values.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, values.Length - 1);
        return values[below] + (rank - below) * (values[above] - values[below]);
    }
}
