using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// Layer factories by spatial dimension, like MONAI's <c>Conv[Conv.CONV, spatial_dims]</c> factories, so one network
/// definition serves 2-D and 3-D images.
/// </summary>
internal static class SpatialLayers
{
    public static nn.Module<Tensor, Tensor> Conv(int spatialDims, long inChannels, long outChannels, long kernelSize,
        long stride = 1, long padding = 0, bool bias = true) => spatialDims switch
        {
            2 => nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias),
            3 => nn.Conv3d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias),
            _ => throw UnsupportedDims(spatialDims),
        };

    public static nn.Module<Tensor, Tensor> ConvTranspose(int spatialDims, long inChannels, long outChannels, long kernelSize,
        long stride, long padding = 0, long outputPadding = 0, bool bias = true) => spatialDims switch
        {
            2 => nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, output_padding: outputPadding, bias: bias),
            3 => nn.ConvTranspose3d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, output_padding: outputPadding, bias: bias),
            _ => throw UnsupportedDims(spatialDims),
        };

    /// <summary>A norm as MONAI's <c>get_norm_layer</c> makes it from a bare name: instance norm without affine parameters
    /// or running statistics, batch norm with both.</summary>
    public static nn.Module<Tensor, Tensor> Norm(NormKind kind, int spatialDims, long channels) => (kind, spatialDims) switch
    {
        (NormKind.Instance, 2) => nn.InstanceNorm2d(channels, affine: false, track_running_stats: false),
        (NormKind.Instance, 3) => nn.InstanceNorm3d(channels, affine: false, track_running_stats: false),
        (NormKind.Batch, 2 or 3) => new HeldScalarBatchNorm(channels, spatialDims),
        (NormKind.Instance or NormKind.Batch, _) => throw UnsupportedDims(spatialDims),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown norm."),
    };

    /// <summary>Linear (bi/tri-linear by dimension) ×2 upsampling without corner alignment, as MONAI's
    /// <c>get_upsample_layer</c> asks of <c>nn.Upsample</c>.</summary>
    public static nn.Module<Tensor, Tensor> LinearUpsample(int spatialDims, double scale = 2) => spatialDims switch
    {
        2 => nn.Upsample(scale_factor: [scale, scale], mode: UpsampleMode.Bilinear, align_corners: false),
        3 => nn.Upsample(scale_factor: [scale, scale, scale], mode: UpsampleMode.Trilinear, align_corners: false),
        _ => throw UnsupportedDims(spatialDims),
    };

    /// <summary>
    /// GroupNorm with PyTorch's initial affine parameters (scale 1, shift 0). TorchSharp 0.107's <c>nn.GroupNorm</c>
    /// leaves them uninitialised (whatever the allocator returned, NaN included), so they are set here.
    /// </summary>
    public static nn.Module<Tensor, Tensor> GroupNorm(long numGroups, long channels)
    {
        var norm = nn.GroupNorm(numGroups, channels);
        using var noGrad = no_grad();
        nn.init.ones_(norm.weight!);
        nn.init.zeros_(norm.bias!);
        return norm;
    }

    public static nn.Module<Tensor, Tensor> Dropout(int spatialDims, double probability) => spatialDims switch
    {
        2 => nn.Dropout2d(probability),
        3 => nn.Dropout3d(probability),
        _ => throw UnsupportedDims(spatialDims),
    };

    public static void RequireSpatialDims(int spatialDims)
    {
        if (spatialDims is not (2 or 3))
        {
            throw UnsupportedDims(spatialDims);
        }
    }

    private static ArgumentOutOfRangeException UnsupportedDims(int spatialDims) =>
        new(nameof(spatialDims), spatialDims, "Only 2-D and 3-D networks are supported.");
}
