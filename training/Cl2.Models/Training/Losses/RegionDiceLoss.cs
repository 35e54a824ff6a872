using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Losses;

/// <summary>
/// Dice loss of overlapping regions, as MONAI's <c>DiceLoss(sigmoid=True)</c> on BraTS' region channels: the input is
/// logits N×R×spatial, one channel per region, each passed through a sigmoid; the target is class indices (N×1×spatial
/// or N×spatial), turned into each region's mask by <see cref="RegionMasks"/>. Per sample and region
/// <c>1 − (2·|P∩T| + smooth_nr) / (|P| + |T| + smooth_dr)</c>, averaged. With the smooth terms a region absent from a
/// case is learned as absent (predicting it costs), not ignored. With a cross-entropy weight above 0 the binary
/// cross-entropy of every region's logits against its mask is added with that weight (MONAI's
/// <c>DiceCELoss(sigmoid=True)</c>; nnU-Net trains BraTS' regions with Dice + BCE): while every probability is near ½
/// the Dice term alone moves the logits little, and the regions are learned far more slowly from it.
/// </summary>
/// <param name="regions">Per output channel, the classes whose union is the region.</param>
/// <param name="crossEntropyWeight">Weight of the binary cross-entropy term; 0 leaves the Dice loss alone.</param>
public sealed class RegionDiceLoss(IReadOnlyList<IReadOnlyList<int>> regions, double smoothNumerator = 1e-5, double smoothDenominator = 1e-5,
    double crossEntropyWeight = 0)
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
        // Named Scalars, held until libtorch has read them, the alphas of the sums too: TorchSharp's Tensor + Tensor and
        // Tensor + Scalar pass an alpha of 1 that nothing keeps alive (docs/training.md, "Numbers handed to libtorch").
        using Scalar one = 1.0, two = 2.0, numeratorSmoothing = smoothNumerator, denominatorSmoothing = smoothDenominator,
            crossEntropy = crossEntropyWeight;
        var intersection = (probabilities * truth).sum(spatial);
        var denominator = probabilities.sum(spatial).add(truth.sum(spatial), one);
        // 1 − x as TorchSharp's Scalar − Tensor computes it: (−x) + 1.
        var dice = ((two * intersection).add(numeratorSmoothing, one) / denominator.add(denominatorSmoothing, one)).negative().add(one, one).mean();
        return crossEntropyWeight == 0 ? dice
            : dice.add(nn.functional.binary_cross_entropy_with_logits(input.to_type(ScalarType.Float32), truth), crossEntropy);
    }
}
