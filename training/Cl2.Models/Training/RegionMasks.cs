using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Overlapping regions as unions of classes (BraTS: whole tumour = necrotic core ∪ oedema ∪ enhancing tumour): the
/// targets of a network with one sigmoid output per region, made from the class-index targets every data set gives.
/// </summary>
public static class RegionMasks
{
    /// <summary>Each region's mask, N×R×spatial with 0/1 values of type float32, from class indices N×1×spatial or N×spatial.</summary>
    /// <param name="spatialDims">2 or 3: tells N×1×spatial from N×spatial.</param>
    public static Tensor Of(Tensor target, IReadOnlyList<IReadOnlyList<int>> regions, int spatialDims)
    {
        using var scope = NewDisposeScope();
        var labels = (target.dim() == spatialDims + 2 ? target.squeeze(1) : target).to_type(ScalarType.Int64);
        var masks = regions.Select(classes => isin(labels, tensor(classes.Select(c => (long)c).ToArray(), device: labels.device))).ToList();
        return stack(masks, 1).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
