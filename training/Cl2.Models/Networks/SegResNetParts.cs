using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// The encoder and decoder shared by <see cref="SegResNet"/> and <see cref="SegResNetVae"/>, built and run exactly as
/// MONAI's <c>_make_down_layers</c>, <c>_make_up_layers</c>, <c>_make_final_conv</c> and <c>forward</c> do.
/// </summary>
internal static class SegResNetParts
{
    /// <summary>Stage i: a stride-2 conv doubling the channels (an <c>nn.Identity</c> at stage 0, so indices match), then ResBlocks.</summary>
    public static ModuleList<nn.Module<Tensor, Tensor>> DownLayers(SegResNetOptions o)
    {
        var layers = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (var i = 0; i < o.BlocksDown.Count; i++)
        {
            var channels = (long)o.InitFilters << i;
            var stage = new List<nn.Module<Tensor, Tensor>>
            {
                i > 0 ? MonaiConvolution.ConvOnly(o.SpatialDims, channels / 2, channels, stride: 2) : nn.Identity(),
            };
            stage.AddRange(Enumerable.Range(0, o.BlocksDown[i]).Select(_ => new SegResNetResBlock(o.SpatialDims, channels, o.NumGroups)));
            layers.Add(nn.Sequential(stage));
        }
        return layers;
    }

    public static (ModuleList<nn.Module<Tensor, Tensor>> UpLayers, ModuleList<nn.Module<Tensor, Tensor>> UpSamples) UpLayers(SegResNetOptions o)
    {
        var upLayers = new ModuleList<nn.Module<Tensor, Tensor>>();
        var upSamples = new ModuleList<nn.Module<Tensor, Tensor>>();
        var stages = o.BlocksUp.Count;
        for (var i = 0; i < stages; i++)
        {
            var inChannels = (long)o.InitFilters << (stages - i);
            upLayers.Add(nn.Sequential(Enumerable.Range(0, o.BlocksUp[i])
                .Select(_ => (nn.Module<Tensor, Tensor>)new SegResNetResBlock(o.SpatialDims, inChannels / 2, o.NumGroups))));
            upSamples.Add(nn.Sequential(
                MonaiConvolution.ConvOnly(o.SpatialDims, inChannels, inChannels / 2, kernelSize: 1),
                SegResNetUpsampleLayer.Create(o.SpatialDims, inChannels / 2, o.UpsampleMode)));
        }
        return (upLayers, upSamples);
    }

    /// <summary>GroupNorm → ReLU → 1³ conv with bias, from <c>init_filters</c> to <paramref name="outChannels"/>.</summary>
    public static nn.Module<Tensor, Tensor> FinalConv(SegResNetOptions o, long outChannels) => nn.Sequential(
        SpatialLayers.GroupNorm(o.NumGroups, o.InitFilters),
        nn.ReLU(),
        MonaiConvolution.ConvOnly(o.SpatialDims, o.InitFilters, outChannels, kernelSize: 1, bias: true));

    /// <summary>Runs the encoder; returns the deepest features and every stage's output, deepest first.</summary>
    public static (Tensor Deepest, List<Tensor> Skips) Encode(Tensor input, nn.Module<Tensor, Tensor> convInit,
        nn.Module<Tensor, Tensor>? dropout, ModuleList<nn.Module<Tensor, Tensor>> downLayers)
    {
        var x = convInit.forward(input);
        if (dropout is not null)
        {
            x = dropout.forward(x);
        }
        var skips = new List<Tensor>(downLayers.Count);
        foreach (var down in downLayers)
        {
            x = down.forward(x);
            skips.Add(x);
        }
        skips.Reverse();
        return (x, skips);
    }

    public static Tensor Decode(Tensor deepest, List<Tensor> skips, ModuleList<nn.Module<Tensor, Tensor>> upSamples,
        ModuleList<nn.Module<Tensor, Tensor>> upLayers)
    {
        var x = deepest;
        // The sum's alpha named and held: TorchSharp's Tensor + Tensor passes libtorch an implicit Scalar 1 that a collection
        // on another thread can free mid-call (docs/training.md, "Numbers handed to libtorch").
        using Scalar one = 1;
        for (var i = 0; i < upSamples.Count; i++)
        {
            x = upLayers[i].forward(upSamples[i].forward(x).add(skips[i + 1], one));
        }
        return x;
    }

    public static void RequireDivisible(Tensor input, SegResNetOptions o)
    {
        var factor = 1L << (o.BlocksDown.Count - 1);
        var spatial = input.shape.Skip(2).ToArray();
        if (input.dim() != o.SpatialDims + 2 || spatial.Any(s => s % factor != 0))
        {
            throw new ArgumentException(
                $"SegResNet expects N×C×{string.Join('×', Enumerable.Repeat("S", o.SpatialDims))} with each S divisible by {factor}; got {string.Join('×', input.shape)}.");
        }
    }
}
