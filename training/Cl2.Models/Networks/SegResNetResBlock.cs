using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// MONAI's SegResNet <c>ResBlock</c> (Myronenko 2018, fig. 1): GroupNorm → ReLU → 3³ conv, twice, plus the identity.
/// Field names are MONAI's attribute names (<c>norm1</c>, <c>conv1.conv</c>, …) so checkpoints interoperate.
/// </summary>
public sealed class SegResNetResBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> norm1;
    private readonly nn.Module<Tensor, Tensor> norm2;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> conv2;

    public SegResNetResBlock(int spatialDims, long channels, int numGroups) : base(nameof(SegResNetResBlock))
    {
        norm1 = SpatialLayers.GroupNorm(numGroups, channels);
        norm2 = SpatialLayers.GroupNorm(numGroups, channels);
        act = nn.ReLU();
        conv1 = MonaiConvolution.ConvOnly(spatialDims, channels, channels);
        conv2 = MonaiConvolution.ConvOnly(spatialDims, channels, channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = conv1.forward(act.forward(norm1.forward(input)));
        x = conv2.forward(act.forward(norm2.forward(x)));
        // The sum's alpha named and held: TorchSharp's Tensor + Tensor passes libtorch an implicit Scalar 1 that a collection
        // on another thread can free mid-call (docs/training.md, "Numbers handed to libtorch").
        using Scalar one = 1;
        return x.add(input, one);
    }
}
