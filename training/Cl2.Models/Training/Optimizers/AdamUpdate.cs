using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Optimizers;

/// <summary>
/// One parameter's Adam / AdamW update, the arithmetic of TorchSharp's (and PyTorch's single-tensor) implementation in
/// the same order, with every number libtorch reads held in a <see cref="Scalar"/> until the call returns. TorchSharp's
/// own step converts them implicitly (<c>mul_(beta1)</c>, <c>add_(eps)</c>): such a Scalar is unreachable once its
/// native handle is read, so a garbage collection caused by another thread (the background loader allocates all the
/// time) could finalize it while libtorch reads it — "Unknown scalar type", or a wrong moment.
/// </summary>
internal static class AdamUpdate
{
    /// <param name="decoupled">AdamW: the weights decay by <c>lr · weightDecay</c> apart from the gradient; Adam adds
    /// <c>weightDecay · weights</c> to the gradient (L2).</param>
    public static void Apply(Parameter parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, long step, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay, bool decoupled)
    {
        if (decoupled)
        {
            using Scalar decay = 1 - (learningRate * weightDecay);
            parameter.mul_(decay);
        }
        else if (weightDecay != 0)
        {
            using Scalar decay = weightDecay;
            grad = grad.add(parameter, alpha: decay);
        }
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        using Scalar firstDecay = beta1, firstWeight = 1 - beta1, secondDecay = beta2, secondWeight = 1 - beta2;
        expAvg.mul_(firstDecay).add_(grad, alpha: firstWeight);
        expAvgSq.mul_(secondDecay).addcmul_(grad, grad, value: secondWeight);
        // add_(Scalar) passes libtorch an implicit alpha of 1 as well: named here too.
        using Scalar correction = Math.Sqrt(biasCorrection2), eps = epsilon, one = 1, stepSize = -(learningRate / biasCorrection1);
        using var denominator = expAvgSq.sqrt().div_(correction).add_(eps, one);
        parameter.addcdiv_(expAvg, denominator, value: stepSize);
    }
}
