using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>MONAI's <c>SkipConnection</c> (mode "cat"): the input and <c>submodule</c>'s output, concatenated on channels.</summary>
public sealed class SkipConnection : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> submodule;

    public SkipConnection(nn.Module<Tensor, Tensor> submodule) : base(nameof(SkipConnection))
    {
        this.submodule = submodule;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => cat([input, submodule.forward(input)], 1);
}
