using static TorchSharp.torch;

namespace Cl2.Models.Transforms;

/// <summary>
/// Random spatial augmentation of an (image, labels) pair, both C×spatial on the same grid, drawn from the given
/// generator (or libtorch's default one, which a training run seeds): flips, crops and small affine transforms, applied
/// identically to image and labels (labels resampled by nearest neighbour).
/// </summary>
public static class RandomAugment
{
    /// <summary>Flips each spatial axis with probability <paramref name="probability"/>.</summary>
    public static (Tensor Image, Tensor Labels) Flip(Tensor image, Tensor labels, double probability = 0.5, Generator? generator = null)
    {
        var spatial = (int)image.dim() - 1;
        var axes = Enumerable.Range(1, spatial).Where(_ => Draw(generator) < probability).Select(a => (long)a).ToArray();
        return axes.Length == 0 ? (image.alias(), labels.alias()) : (image.flip(axes), labels.flip(axes));
    }

    /// <summary>A crop of <paramref name="size"/> (per spatial axis) at a uniformly random position.</summary>
    public static (Tensor Image, Tensor Labels) Crop(Tensor image, Tensor labels, IReadOnlyList<long> size, Generator? generator = null)
    {
        var start = image.shape.Skip(1).Select((extent, axis) => extent < size[axis]
            ? throw new ArgumentException($"a crop of {size[axis]} does not fit axis {axis} of {extent}")
            : (long)Math.Floor(Draw(generator) * (extent - size[axis] + 1))).ToArray();
        return (Patches.Slice(image, start, size), Patches.Slice(labels, start, size));
    }

    /// <summary>
    /// Rotation by up to <paramref name="maxRadians"/> about each axis (one in-plane angle in 2-D) and isotropic scaling
    /// by up to ±<paramref name="maxScale"/>, about the centre; voxels mapped from outside the volume become 0.
    /// </summary>
    public static (Tensor Image, Tensor Labels) Affine(Tensor image, Tensor labels, double maxRadians = 0.2, double maxScale = 0.1,
        Generator? generator = null)
    {
        var spatial = (int)image.dim() - 1;
        var scale = 1 + (((2 * Draw(generator)) - 1) * maxScale);
        var angles = Enumerable.Range(0, spatial == 3 ? 3 : 1).Select(_ => ((2 * Draw(generator)) - 1) * maxRadians).ToArray();
        return ApplyAffine(image, labels, Rotation(angles, spatial), scale);
    }

    /// <summary>Resamples both through the matrix (output → input coordinates in [−1, 1], xyz order) times 1/scale.</summary>
    public static (Tensor Image, Tensor Labels) ApplyAffine(Tensor image, Tensor labels, double[,] rotation, double scale)
    {
        using var scope = NewDisposeScope();
        var spatial = (int)image.dim() - 1;
        var theta = new float[spatial * (spatial + 1)];
        for (var r = 0; r < spatial; r++)
        {
            for (var c = 0; c < spatial; c++)
            {
                theta[(r * (spatial + 1)) + c] = (float)(rotation[r, c] / scale);
            }
        }
        var matrix = tensor(theta).reshape(1, spatial, spatial + 1);
        var size = new long[] { 1, image.shape[0] }.Concat(image.shape.Skip(1)).ToArray();
        var grid = nn.functional.affine_grid(matrix, size, align_corners: false);
        var warped = nn.functional.grid_sample(image.unsqueeze(0).to_type(ScalarType.Float32), grid, GridSampleMode.Bilinear,
            GridSamplePaddingMode.Zeros, align_corners: false).squeeze(0);
        var labelGrid = nn.functional.affine_grid(matrix, new long[] { 1, labels.shape[0] }.Concat(labels.shape.Skip(1)).ToArray(), align_corners: false);
        var warpedLabels = nn.functional.grid_sample(labels.unsqueeze(0).to_type(ScalarType.Float32), labelGrid, GridSampleMode.Nearest,
            GridSamplePaddingMode.Zeros, align_corners: false).squeeze(0).round().to_type(labels.dtype);
        return (warped.MoveToOuterDisposeScope(), warpedLabels.MoveToOuterDisposeScope());
    }

    private static double[,] Rotation(double[] angles, int spatial)
    {
        if (spatial == 2)
        {
            var (s, c) = Math.SinCos(angles[0]);
            return new[,] { { c, -s }, { s, c } };
        }
        var (sx, cx) = Math.SinCos(angles[0]);
        var (sy, cy) = Math.SinCos(angles[1]);
        var (sz, cz) = Math.SinCos(angles[2]);
        double[,] x = { { 1, 0, 0 }, { 0, cx, -sx }, { 0, sx, cx } };
        double[,] y = { { cy, 0, sy }, { 0, 1, 0 }, { -sy, 0, cy } };
        double[,] z = { { cz, -sz, 0 }, { sz, cz, 0 }, { 0, 0, 1 } };
        return Multiply(Multiply(z, y), x);
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var result = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    result[i, j] += a[i, k] * b[k, j];
                }
            }
        }
        return result;
    }

    internal static double Draw(Generator? generator)
    {
        using var value = rand(1, generator: generator);
        return value.item<float>();
    }
}
