using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// MONAI's <c>ResidualUnit</c>: <c>conv</c> (a Sequential of <c>unit0</c>, <c>unit1</c>, … convolution blocks, the first
/// one strided) plus <c>residual</c> (identity, or a convolution when the stride or the channel count changes).
/// </summary>
public sealed class ResidualUnit : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv;
    private readonly nn.Module<Tensor, Tensor> residual;

    public ResidualUnit(int spatialDims, long inChannels, long outChannels, long stride, long kernelSize, int subunits,
        NormKind norm, double dropout, bool lastConvOnly) : base(nameof(ResidualUnit))
    {
        subunits = Math.Max(1, subunits);
        var units = new List<(string, nn.Module<Tensor, Tensor>)>(subunits);
        for (var i = 0; i < subunits; i++)
        {
            units.Add(($"unit{i}", MonaiConvolution.WithNormPrelu(spatialDims, i == 0 ? inChannels : outChannels, outChannels,
                kernelSize, i == 0 ? stride : 1, norm, dropout, convOnly: lastConvOnly && i == subunits - 1)));
        }
        conv = nn.Sequential(units);
        residual = stride != 1 || inChannels != outChannels
            // A 1×1 kernel suffices when only the channel count changes; a strided residual needs the full kernel.
            ? stride == 1
                ? SpatialLayers.Conv(spatialDims, inChannels, outChannels, 1)
                : SpatialLayers.Conv(spatialDims, inChannels, outChannels, kernelSize, stride, (kernelSize - 1) / 2)
            : nn.Identity();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        // The sum's alpha named and held: TorchSharp's Tensor + Tensor passes libtorch an implicit Scalar 1 that a collection
        // on another thread can free mid-call (docs/training.md, "Numbers handed to libtorch").
        using Scalar one = 1;
        return conv.forward(input).add(residual.forward(input), one);
    }
}
