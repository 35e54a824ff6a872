using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// SegResNet with the variational auto-encoder branch that regularises the shared encoder (Myronenko 2018), with the
/// keys of <c>monai.networks.nets.SegResNetVAE</c>: SegResNet's plus <c>vae_down</c>, <c>vae_fc1..3</c>,
/// <c>vae_fc_up_sample</c> and <c>vae_conv_final</c>. As in MONAI, the VAE decoder reuses the segmentation decoder's
/// <c>up_samples</c>/<c>up_layers</c> (without skip connections), so the branch adds only its bottleneck and output head.
/// <see cref="forward"/> returns the segmentation alone (what inference needs);
/// <see cref="ForwardWithVae"/> also returns the VAE loss terms for training.
/// </summary>
public sealed class SegResNetVae : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> convInit;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> down_layers;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up_layers;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up_samples;
    private readonly nn.Module<Tensor, Tensor> conv_final;
    private readonly nn.Module<Tensor, Tensor>? dropout;
    private readonly nn.Module<Tensor, Tensor> vae_down;
    private readonly Linear vae_fc1;
    private readonly Linear vae_fc2;
    private readonly Linear vae_fc3;
    private readonly nn.Module<Tensor, Tensor> vae_fc_up_sample;
    private readonly nn.Module<Tensor, Tensor> vae_conv_final;
    private readonly nn.Module<Tensor, Tensor> act;

    public SegResNetVae(SegResNetVaeOptions options) : base(nameof(SegResNetVae))
    {
        options.Validate();
        Options = options;
        var o = options.Network;
        convInit = MonaiConvolution.ConvOnly(o.SpatialDims, o.InChannels, o.InitFilters);
        down_layers = SegResNetParts.DownLayers(o);
        (up_layers, up_samples) = SegResNetParts.UpLayers(o);
        conv_final = SegResNetParts.FinalConv(o, o.OutChannels);
        dropout = o.DropoutProb is { } p ? SpatialLayers.Dropout(o.SpatialDims, p) : null;

        const int smallest = SegResNetVaeOptions.SmallestFilters;
        var deepestChannels = (long)o.InitFilters << (o.BlocksDown.Count - 1);
        var latentElements = smallest * options.LatentGrid.Aggregate(1L, (a, b) => a * b);
        act = nn.ReLU();
        vae_down = nn.Sequential(
            SpatialLayers.GroupNorm(o.NumGroups, deepestChannels),
            nn.ReLU(),
            MonaiConvolution.ConvOnly(o.SpatialDims, deepestChannels, smallest, stride: 2, bias: true),
            SpatialLayers.GroupNorm(o.NumGroups, smallest),
            nn.ReLU());
        vae_fc1 = nn.Linear(latentElements, options.VaeNz);
        // Built even when σ is not estimated, as MONAI does, so the checkpoint keys do not depend on the option.
        vae_fc2 = nn.Linear(latentElements, options.VaeNz);
        vae_fc3 = nn.Linear(options.VaeNz, latentElements);
        vae_fc_up_sample = nn.Sequential(
            MonaiConvolution.ConvOnly(o.SpatialDims, smallest, deepestChannels, kernelSize: 1),
            SegResNetUpsampleLayer.Create(o.SpatialDims, deepestChannels, o.UpsampleMode),
            SpatialLayers.GroupNorm(o.NumGroups, deepestChannels),
            nn.ReLU());
        vae_conv_final = SegResNetParts.FinalConv(o, o.InChannels);
        RegisterComponents();
    }

    public SegResNetVaeOptions Options { get; }

    public override Tensor forward(Tensor input) => Segment(input).Segmentation;

    /// <summary>The training pass: segmentation plus the VAE's latent and reconstruction losses (fresh noise each call).</summary>
    public SegResNetVaeOutput ForwardWithVae(Tensor input)
    {
        var (segmentation, deepest) = Segment(input);
        var (latent, reconstruction) = VaeLosses(input, deepest);
        return new SegResNetVaeOutput(segmentation, latent, reconstruction);
    }

    private (Tensor Segmentation, Tensor Deepest) Segment(Tensor input)
    {
        SegResNetParts.RequireDivisible(input, Options.Network);
        var (deepest, skips) = SegResNetParts.Encode(input, convInit, dropout, down_layers);
        var x = SegResNetParts.Decode(deepest, skips, up_samples, up_layers);
        return (Options.Network.UseConvFinal ? conv_final.forward(x) : x, deepest);
    }

    private (Tensor Latent, Tensor Reconstruction) VaeLosses(Tensor input, Tensor deepest)
    {
        var expected = Options.InputImageSize.Select(s => (long)s);
        if (!input.shape.Skip(2).SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"The VAE branch was built for {string.Join('×', Options.InputImageSize)} inputs; got {string.Join('×', input.shape.Skip(2))}.");
        }
        var features = vae_down.forward(deepest).view(-1, vae_fc1.in_features);
        var mean = vae_fc1.forward(features);
        var noise = randn_like(mean);
        Tensor latentLoss;
        Tensor sample;
        // Named Scalars, held until libtorch has read them: an implicitly converted one (the alpha of every add too) can be
        // freed mid-call by a collection on another thread (see Training/Optimizers/AdamUpdate).
        // square() is pow(2) with an implicit 2, softplus passes an implicit β and threshold: pow(two) instead, and
        // softplus (β 1, threshold 20) as libtorch computes it, log(1 + eˣ) up to the threshold and x above it; the
        // exponent is clamped at the threshold so the branch not taken has no infinite gradient.
        using Scalar half = 0.5, one = 1, two = 2, smallest = 1e-8, defaultStd = Options.VaeDefaultStd, threshold = 20;
        if (Options.VaeEstimateStd)
        {
            var beforeSoftplus = vae_fc2.forward(features);
            var sigma = where(beforeSoftplus.gt(threshold), beforeSoftplus, beforeSoftplus.clamp_max(threshold).exp().log1p());
            var variance = sigma.pow(two);
            // KL(N(μ, σ²) ‖ N(0, 1)) averaged over latent units; the 1e-8 keeps log finite when σ underflows.
            latentLoss = half * (mean.pow(two).add(variance, one) - variance.add(smallest, one).log() - one).mean();
            sample = mean.add(sigma * noise, one);
        }
        else
        {
            latentLoss = mean.pow(two).mean();
            sample = mean.add(defaultStd * noise, one);
        }
        long[] shape = [-1, SegResNetVaeOptions.SmallestFilters, .. Options.LatentGrid];
        var x = act.forward(vae_fc3.forward(sample)).view(shape);
        x = vae_fc_up_sample.forward(x);
        for (var i = 0; i < up_samples.Count; i++)
        {
            x = up_layers[i].forward(up_samples[i].forward(x));
        }
        var reconstruction = vae_conv_final.forward(x);
        return (latentLoss, nn.functional.mse_loss(input, reconstruction));
    }
}
