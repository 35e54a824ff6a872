using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Losses;

/// <summary>
/// BCE with logits for a binary classifier whose head has one output: the target (N, N×1, integer or float) is reshaped
/// and cast to the logits, so a data set can keep its labels as class indices. <paramref name="positiveWeight"/> &gt; 1
/// counts each positive as that many, for a rare positive class.
/// </summary>
public sealed class BinaryCrossEntropyLoss(double positiveWeight = 1) : nn.Module<Tensor, Tensor, Tensor>(nameof(BinaryCrossEntropyLoss))
{
    public double PositiveWeight { get; } = positiveWeight;

    public override Tensor forward(Tensor input, Tensor target)
    {
        var t = target.reshape(input.shape).to_type(input.dtype);
        if (PositiveWeight == 1)
        {
            return nn.functional.binary_cross_entropy_with_logits(input, t);
        }
        using Scalar positiveWeight = PositiveWeight;
        var weight = full(1, positiveWeight, dtype: input.dtype, device: input.device);
        return nn.functional.binary_cross_entropy_with_logits(input, t, pos_weights: weight);
    }
}
