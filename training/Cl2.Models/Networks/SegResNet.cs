using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// SegResNet (Myronenko 2018, "3D MRI brain tumor segmentation using autoencoder regularization") without the VAE
/// branch, with MONAI's structure: <c>convInit</c>, <c>down_layers</c>, <c>up_samples</c>, <c>up_layers</c>,
/// <c>conv_final</c>. The state-dict keys equal <c>monai.networks.nets.SegResNet</c>'s.
/// </summary>
public sealed class SegResNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> convInit;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> down_layers;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up_layers;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up_samples;
    private readonly nn.Module<Tensor, Tensor> conv_final;
    private readonly nn.Module<Tensor, Tensor>? dropout;

    public SegResNet(SegResNetOptions options) : base(nameof(SegResNet))
    {
        options.Validate();
        Options = options;
        convInit = MonaiConvolution.ConvOnly(options.SpatialDims, options.InChannels, options.InitFilters);
        down_layers = SegResNetParts.DownLayers(options);
        (up_layers, up_samples) = SegResNetParts.UpLayers(options);
        // MONAI builds conv_final even when use_conv_final is false, so the checkpoint keys do not depend on it.
        conv_final = SegResNetParts.FinalConv(options, options.OutChannels);
        dropout = options.DropoutProb is { } p ? SpatialLayers.Dropout(options.SpatialDims, p) : null;
        RegisterComponents();
    }

    public SegResNetOptions Options { get; }

    public override Tensor forward(Tensor input)
    {
        SegResNetParts.RequireDivisible(input, Options);
        var (deepest, skips) = SegResNetParts.Encode(input, convInit, dropout, down_layers);
        var x = SegResNetParts.Decode(deepest, skips, up_samples, up_layers);
        return Options.UseConvFinal ? conv_final.forward(x) : x;
    }
}
