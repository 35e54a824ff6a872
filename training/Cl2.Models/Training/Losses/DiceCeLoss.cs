using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Losses;

/// <summary>
/// Dice + cross-entropy for segmentation, as MONAI's <c>DiceCELoss(to_onehot_y=True, softmax=True)</c>: the input is
/// logits N×C×spatial, the target class indices N×spatial or N×1×spatial. The Dice term is computed per sample and
/// class over the spatial axes (<c>1 − (2·|P∩T| + smooth_nr) / (|P| + |T| + smooth_dr)</c>) and averaged.
/// </summary>
public sealed class DiceCeLoss : nn.Module<Tensor, Tensor, Tensor>
{
    public DiceCeLoss(DiceCeLossOptions? options = null) : base(nameof(DiceCeLoss))
    {
        Options = options ?? new DiceCeLossOptions();
    }

    public DiceCeLossOptions Options { get; }

    public override Tensor forward(Tensor input, Tensor target)
    {
        var dims = input.dim();
        var classes = input.shape[1];
        if (dims < 3)
        {
            throw new ArgumentException($"DiceCeLoss expects N×C×spatial logits; got {string.Join('×', input.shape)}.", nameof(input));
        }
        if (target.dim() == dims && target.shape[1] != 1)
        {
            throw new ArgumentException($"DiceCeLoss expects class indices (N×spatial or N×1×spatial), not one-hot; got {string.Join('×', target.shape)}.", nameof(target));
        }
        var labels = (target.dim() == dims ? target.squeeze(1) : target).to_type(ScalarType.Int64);
        var crossEntropy = nn.functional.cross_entropy(input, labels);

        var probabilities = nn.functional.softmax(input, 1);
        // one_hot appends the class axis last; move it to axis 1 to line up with the logits.
        var permutation = new long[dims];
        permutation[0] = 0;
        permutation[1] = dims - 1;
        for (var i = 2; i < dims; i++)
        {
            permutation[i] = i - 1;
        }
        var oneHot = nn.functional.one_hot(labels, classes).permute(permutation).to_type(probabilities.dtype);
        if (!Options.IncludeBackground && classes > 1)
        {
            probabilities = probabilities.narrow(1, 1, classes - 1);
            oneHot = oneHot.narrow(1, 1, classes - 1);
        }
        var spatial = Enumerable.Range(2, (int)dims - 2).Select(i => (long)i).ToArray();
        var intersection = (probabilities * oneHot).sum(spatial);
        // Named Scalars, held until libtorch has read them, the alphas of the sums too: TorchSharp's Tensor + Tensor and
        // Tensor + Scalar pass an alpha of 1 that nothing keeps alive (docs/training.md, "Numbers handed to libtorch").
        using Scalar one = 1.0, two = 2.0, smoothNumerator = Options.SmoothNumerator, smoothDenominator = Options.SmoothDenominator,
            lambdaDice = Options.LambdaDice, lambdaCe = Options.LambdaCe;
        var denominator = probabilities.sum(spatial).add(oneHot.sum(spatial), one);
        // 1 − x as TorchSharp's Scalar − Tensor computes it: (−x) + 1.
        var dice = (((two * intersection).add(smoothNumerator, one)) / denominator.add(smoothDenominator, one)).negative().add(one, one);
        return (lambdaDice * dice.mean()).add(lambdaCe * crossEntropy, one);
    }
}
