using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>How SegResNet's decoder doubles the resolution (MONAI <c>UpsampleMode</c>; pixel shuffle is not offered).</summary>
public enum SegResNetUpsample
{
    /// <summary>Linear interpolation, no weights (MONAI's default, <c>"nontrainable"</c>).</summary>
    NonTrainable,

    /// <summary>Stride-2 transposed convolution (<c>"deconv"</c>).</summary>
    Deconv,
}

internal static class SegResNetUpsampleLayer
{
    /// <summary>MONAI's <c>UpSample</c>: a Sequential whose single child is named <c>upsample_non_trainable</c> or <c>deconv</c>.</summary>
    public static nn.Module<Tensor, Tensor> Create(int spatialDims, long channels, SegResNetUpsample mode) => mode switch
    {
        SegResNetUpsample.NonTrainable => nn.Sequential(("upsample_non_trainable", SpatialLayers.LinearUpsample(spatialDims))),
        SegResNetUpsample.Deconv => nn.Sequential(("deconv", SpatialLayers.ConvTranspose(spatialDims, channels, channels, kernelSize: 2, stride: 2))),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown upsample mode."),
    };
}
