using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// MONAI's <c>monai.networks.nets.UNet</c> (residual units, Kerfoot et al. 2018) for 2-D or 3-D images. The network
/// is one recursive <c>model</c>: each level is <c>Sequential(down, SkipConnection(next level), up)</c>, so its keys
/// read <c>model.0.conv.unit0.conv.weight</c>, <c>model.1.submodule.0.…</c>, <c>model.2.0.conv.weight</c>, exactly as
/// MONAI's state dict does.
/// </summary>
public sealed class UNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;

    public UNet(UNetOptions options) : base(nameof(UNet))
    {
        options.Validate();
        Options = options;
        model = Level(options.InChannels, options.OutChannels, 0, isTop: true);
        RegisterComponents();
    }

    public UNetOptions Options { get; }

    public override Tensor forward(Tensor input)
    {
        var factor = Options.Strides.Take(Options.Channels.Count - 1).Aggregate(1L, (a, s) => a * s);
        if (input.dim() != Options.SpatialDims + 2 || input.shape.Skip(2).Any(s => s % factor != 0))
        {
            throw new ArgumentException($"UNet expects N×C×spatial with each spatial size divisible by {factor}; got {string.Join('×', input.shape)}.");
        }
        return model.forward(input);
    }

    private nn.Module<Tensor, Tensor> Level(long inChannels, long outChannels, int level, bool isTop)
    {
        var o = Options;
        long channels = o.Channels[level];
        long stride = o.Strides[level];
        nn.Module<Tensor, Tensor> sub;
        long upInChannels;
        if (o.Channels.Count - level > 2)
        {
            sub = Level(channels, channels, level + 1, isTop: false);
            upInChannels = channels * 2;
        }
        else
        {
            // The bottom: a stride-1 down layer to the last channel count; its output is concatenated with its input.
            sub = DownLayer(channels, o.Channels[level + 1], 1);
            upInChannels = channels + o.Channels[level + 1];
        }
        return nn.Sequential(DownLayer(inChannels, channels, stride), new SkipConnection(sub), UpLayer(upInChannels, outChannels, stride, isTop));
    }

    private nn.Module<Tensor, Tensor> DownLayer(long inChannels, long outChannels, long stride) => Options.NumResUnits > 0
        ? new ResidualUnit(Options.SpatialDims, inChannels, outChannels, stride, Options.KernelSize, Options.NumResUnits, Options.Norm, Options.Dropout, lastConvOnly: false)
        : MonaiConvolution.WithNormPrelu(Options.SpatialDims, inChannels, outChannels, Options.KernelSize, stride, Options.Norm, Options.Dropout, convOnly: false);

    private nn.Module<Tensor, Tensor> UpLayer(long inChannels, long outChannels, long stride, bool isTop)
    {
        var o = Options;
        // The top level's output is the logits, so it ends in a bare convolution (no norm, no activation).
        var conv = MonaiConvolution.WithNormPrelu(o.SpatialDims, inChannels, outChannels, o.UpKernelSize, stride, o.Norm, o.Dropout,
            convOnly: isTop && o.NumResUnits == 0, transposed: true);
        return o.NumResUnits > 0
            ? nn.Sequential(conv, new ResidualUnit(o.SpatialDims, outChannels, outChannels, 1, o.KernelSize, 1, o.Norm, o.Dropout, lastConvOnly: isTop))
            : conv;
    }
}
