using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Losses;

/// <summary>
/// Dice loss of overlapping regions, as MONAI's <c>DiceLoss(sigmoid=True)</c> on BraTS' region channels: the input is
/// logits N×R×spatial, one channel per region, each passed through a sigmoid; the target is class indices (N×1×spatial
/// or N×spatial), turned into each region's mask by <see cref="RegionMasks"/>. Per sample and region
/// <c>1 − (2·|P∩T| + smooth_nr) / (|P| + |T| + smooth_dr)</c>, averaged. With the smooth terms a region absent from a
/// case is learned as absent (predicting it costs), not ignored.
/// </summary>
/// <param name="regions">Per output channel, the classes whose union is the region.</param>
public sealed class RegionDiceLoss(IReadOnlyList<IReadOnlyList<int>> regions, double smoothNumerator = 1e-5, double smoothDenominator = 1e-5)
    : nn.Module<Tensor, Tensor, Tensor>(nameof(RegionDiceLoss))
{
    public override Tensor forward(Tensor input, Tensor target)
    {
        if (input.dim() < 3 || input.shape[1] != regions.Count)
        {
            throw new ArgumentException(
                $"RegionDiceLoss expects N×{regions.Count}×spatial logits, one channel per region; got {string.Join('×', input.shape)}.", nameof(input));
        }
        var spatialDims = (int)input.dim() - 2;
        var truth = RegionMasks.Of(target, regions, spatialDims).to(input.device);
        var probabilities = sigmoid(input.to_type(ScalarType.Float32));
        var spatial = Enumerable.Range(2, spatialDims).Select(i => (long)i).ToArray();
        var intersection = (probabilities * truth).sum(spatial);
        var denominator = probabilities.sum(spatial) + truth.sum(spatial);
        // Named Scalars, held until libtorch has read them (see AdamUpdate: an implicit one can be freed mid-call).
        using Scalar one = 1.0, two = 2.0, numeratorSmoothing = smoothNumerator, denominatorSmoothing = smoothDenominator;
        return (one - ((two * intersection) + numeratorSmoothing) / (denominator + denominatorSmoothing)).mean();
    }
}
