using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// PyTorch's <c>PReLU</c> (one learnable slope per channel, or one for all; state-dict key <c>weight</c>) with its
/// initial slope passed as a held Scalar. TorchSharp's <c>nn.PReLU</c> fills the slope with an implicit Scalar that
/// nothing keeps alive, so a collection on another thread (networks are built while loaders and other model runs
/// allocate) can free it while libtorch reads it (docs/training.md, "Numbers handed to libtorch").
/// </summary>
public sealed class HeldScalarPRelu : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public HeldScalarPRelu(long parameters = 1, double initialSlope = 0.25) : base("PReLU")
    {
        using Scalar slope = initialSlope;
        using (no_grad())
        {
            weight = new Parameter(empty(parameters).fill_(slope));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.prelu(input, weight);
}
