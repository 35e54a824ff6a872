using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary>
/// A case's image as a short vector for clustering (the diverse-entropy strategy): each channel averaged over a coarse
/// grid of <see cref="Cells"/> cells per axis, so cases that look alike (anatomy, contrast, field of view) lie close.
/// </summary>
public static class ImageEmbedding
{
    public const int Cells = 4;

    /// <param name="input">One case, 1×C×spatial (2 or 3 spatial axes).</param>
    public static double[] Of(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = input.dim() == 5
            ? nn.functional.adaptive_avg_pool3d(input, [Cells, Cells, Cells])
            : nn.functional.adaptive_avg_pool2d(input, [Cells, Cells]);
        return [.. pooled.flatten().to_type(ScalarType.Float64).cpu().data<double>()];
    }
}
