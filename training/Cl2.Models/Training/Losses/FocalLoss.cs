using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Losses;

/// <summary>
/// Binary focal loss on logits (Lin et al. 2017, as torchvision's <c>sigmoid_focal_loss</c> with mean reduction):
/// <c>−α_t (1 − p_t)^γ log p_t</c>. It down-weights easy examples, which helps a rare positive class such as fractures.
/// <paramref name="alpha"/> below 0 turns the class weighting off; γ = 0 and no α is plain BCE with logits.
/// </summary>
public sealed class FocalLoss(double gamma = 2, double alpha = 0.25) : nn.Module<Tensor, Tensor, Tensor>(nameof(FocalLoss))
{
    public double Gamma { get; } = gamma;
    public double Alpha { get; } = alpha;

    public override Tensor forward(Tensor input, Tensor target)
    {
        var t = target.reshape(input.shape).to_type(input.dtype);
        // BCE with logits is the numerically stable −log p_t.
        var crossEntropy = nn.functional.binary_cross_entropy_with_logits(input, t, reduction: nn.Reduction.None);
        var p = input.sigmoid();
        // Named Scalars, held until libtorch has read them, the alphas of the sums too (docs/training.md, "Numbers handed
        // to libtorch"); 1 − x as TorchSharp's Scalar − Tensor computes it: (−x) + 1.
        using Scalar one = 1.0, gamma = Gamma, alpha = Alpha, otherAlpha = 1.0 - Alpha;
        var notT = t.negative().add(one, one);
        var pt = (p * t).add(p.negative().add(one, one) * notT, one);
        var loss = crossEntropy * pt.negative().add(one, one).pow(gamma);
        if (Alpha >= 0)
        {
            loss = (alpha * t).add(otherAlpha * notT, one) * loss;
        }
        return loss.mean();
    }
}
