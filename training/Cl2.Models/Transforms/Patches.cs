using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Transforms;

/// <summary>
/// Training patches from a C×spatial volume, as MONAI's RandCropByPosNegLabel: with probability
/// <c>foregroundRatio</c> a patch is centred on a random foreground voxel (label &gt; 0), else on a random voxel, and
/// moved inwards where it would leave the volume, so small structures are seen often enough to be learned.
/// </summary>
public static class Patches
{
    public static (Tensor Image, Tensor Labels) Sample(Tensor image, Tensor labels, IReadOnlyList<long> size, double foregroundRatio,
        Generator? generator = null)
    {
        var extent = image.shape.Skip(1).ToArray();
        if (extent.Length != size.Count || extent.Where((e, axis) => e < size[axis]).Any())
        {
            throw new ArgumentException($"a patch of {string.Join('×', size)} does not fit a volume of {string.Join('×', extent)}");
        }
        // sum(0) would bind to sum(ScalarType): the literal 0 converts to an enum.
        using Scalar background = 0;
        using var foreground = (labels.sum(new long[] { 0 }) > background).nonzero();
        long[] centre;
        if (foreground.shape[0] > 0 && RandomAugment.Draw(generator) < foregroundRatio)
        {
            var pick = (long)Math.Min(foreground.shape[0] - 1, Math.Floor(RandomAugment.Draw(generator) * foreground.shape[0]));
            centre = new long[extent.Length];
            for (var axis = 0; axis < extent.Length; axis++)
            {
                using var coordinate = foreground[pick, axis];
                centre[axis] = coordinate.item<long>();
            }
        }
        else
        {
            centre = extent.Select(e => (long)Math.Min(e - 1, Math.Floor(RandomAugment.Draw(generator) * e))).ToArray();
        }
        var start = centre.Select((c, axis) => Math.Clamp(c - (size[axis] / 2), 0, extent[axis] - size[axis])).ToArray();
        return (Slice(image, start, size), Slice(labels, start, size));
    }

    /// <summary>The block [start, start + size) of every spatial axis, all channels (a view; the intermediate views
    /// belong to the caller's dispose scope).</summary>
    public static Tensor Slice(Tensor volume, IReadOnlyList<long> start, IReadOnlyList<long> size)
    {
        var result = volume;
        for (var axis = 0; axis < start.Count; axis++)
        {
            result = result.narrow(axis + 1, start[axis], size[axis]);
        }
        return result;
    }
}
