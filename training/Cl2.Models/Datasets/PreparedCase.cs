using static TorchSharp.torch;

namespace Cl2.Models.Datasets;

/// <summary>
/// One case as its workload preprocessed it, ready to sample from: the normalised image (C×spatial, float32) on the
/// training grid, its target (a 1×spatial class-index map on the same grid, or one value per label for
/// classification), and the grid's spacing in array order (mm). The owner disposes it.
/// </summary>
public sealed record PreparedCase(Tensor Image, Tensor Target, IReadOnlyList<double> Spacing) : IDisposable
{
    /// <summary>What the case holds in memory, for the RAM cache's budget.</summary>
    public long Bytes => (Image.numel() * Image.element_size()) + (Target.numel() * Target.element_size());

    public void Dispose()
    {
        Image.Dispose();
        Target.Dispose();
    }
}
