using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// MONAI's <c>Convolution</c> block: an <c>nn.Sequential</c> holding <c>conv</c> and, unless conv-only, an <c>adn</c>
/// Sequential of <c>N</c> (norm), <c>D</c> (dropout) and <c>A</c> (activation) in MONAI's default "NDA" order. The child
/// names are checkpoint keys (<c>….conv.weight</c>, <c>….adn.A.weight</c>), so they must stay as they are.
/// </summary>
internal static class MonaiConvolution
{
    /// <summary>Conv-only block, as SegResNet's <c>get_conv_layer</c> builds it ("same" padding, no bias by default).</summary>
    public static nn.Module<Tensor, Tensor> ConvOnly(int spatialDims, long inChannels, long outChannels, long kernelSize = 3,
        long stride = 1, bool bias = false) =>
        nn.Sequential(("conv", SpatialLayers.Conv(spatialDims, inChannels, outChannels, kernelSize, stride, (kernelSize - 1) / 2, bias)));

    /// <summary>Convolution followed by norm, dropout and PReLU — MONAI's UNet blocks.</summary>
    public static nn.Module<Tensor, Tensor> WithNormPrelu(int spatialDims, long inChannels, long outChannels,
        long kernelSize, long stride, NormKind norm, double dropout, bool convOnly, bool transposed = false)
    {
        var padding = (kernelSize - 1) / 2;
        var conv = transposed
            // output_padding = stride − 1 makes a stride-s transposed convolution exactly invert a stride-s convolution's size.
            ? SpatialLayers.ConvTranspose(spatialDims, inChannels, outChannels, kernelSize, stride, padding, stride - 1)
            : SpatialLayers.Conv(spatialDims, inChannels, outChannels, kernelSize, stride, padding);
        if (convOnly)
        {
            return nn.Sequential(("conv", conv));
        }
        var adn = nn.Sequential(
            ("N", SpatialLayers.Norm(norm, spatialDims, outChannels)),
            ("D", nn.Dropout(dropout)),
            ("A", new HeldScalarPRelu(1, 0.25)));
        return nn.Sequential(("conv", conv), ("adn", adn));
    }
}
