using Cl2.Models.Networks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

public sealed class SegResNetTests(ITestOutputHelper output)
{
    [Fact]
    public void segresnet_with_monai_defaults_has_monais_parameter_count_and_state_dict_keys()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(new SegResNetOptions());
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("segresnet_default", network, 1_176_186);
        NetworkAssert.HasStateDictOf("segresnet_default", network);
        var keys = network.state_dict().Keys;
        Assert.Equal(83, keys.Count);
        Assert.Contains("convInit.conv.weight", keys);
        Assert.Contains("down_layers.0.1.norm1.weight", keys);
        Assert.Contains("down_layers.1.0.conv.weight", keys);
        Assert.Contains("down_layers.3.4.conv2.conv.weight", keys);
        Assert.Contains("up_samples.0.0.conv.weight", keys);
        Assert.Contains("up_layers.2.0.norm2.bias", keys);
        Assert.Contains("conv_final.2.conv.bias", keys);
    }

    [Fact]
    public void segresnet_for_brats_as_in_myronenko_2018_has_18_8_million_parameters()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(SegResNetOptions.Brats);
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("segresnet_brats", network, 18_798_627);
        NetworkAssert.HasStateDictOf("segresnet_brats", network);
    }

    [Fact]
    public void segresnet_maps_four_mri_sequences_to_three_tumour_channels_at_full_resolution()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(new SegResNetOptions { InChannels = 4, OutChannels = 3, DropoutProb = 0.2 });
        var input = randn([1, 4, 32, 32, 32]);

        var logits = network.forward(input);

        Assert.Equal([1L, 3, 32, 32, 32], logits.shape);
        logits.square().mean().backward();
        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void segresnet_in_2d_with_transposed_convolutions_upsamples_with_learned_deconv_layers()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(new SegResNetOptions { SpatialDims = 2, UpsampleMode = SegResNetUpsample.Deconv });

        var logits = network.forward(randn([2, 1, 64, 48]));

        Assert.Equal([2L, 2, 64, 48], logits.shape);
        Assert.Equal([32L, 32, 2, 2], network.state_dict()["up_samples.0.1.deconv.weight"].shape);
    }

    [Fact]
    public void a_new_segresnet_starts_with_unit_scale_and_zero_shift_in_every_group_norm()
    {
        using var scope = NewDisposeScope();
        // TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialised; the network must not inherit that.
        var network = new SegResNet(new SegResNetOptions());

        var norms = network.state_dict().Where(kv => kv.Key.Contains("norm", StringComparison.Ordinal) || kv.Key.StartsWith("conv_final.0.", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * (1 + 2 + 2 * 2 + 2 * 2 + 4 * 2 + 3 * 2), norms.Count);
        Assert.All(norms.Where(kv => kv.Key.EndsWith(".weight", StringComparison.Ordinal)), kv => Assert.True(kv.Value.eq(1).all().item<bool>(), kv.Key));
        Assert.All(norms.Where(kv => kv.Key.EndsWith(".bias", StringComparison.Ordinal)), kv => Assert.True(kv.Value.eq(0).all().item<bool>(), kv.Key));
        Assert.False(network.forward(randn([1, 1, 16, 16, 16])).isnan().any().item<bool>());
    }

    [Fact]
    public void segresnet_rejects_a_volume_the_encoder_cannot_halve_three_times()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(new SegResNetOptions());

        var error = Assert.Throws<ArgumentException>(() => network.forward(zeros([1, 1, 20, 32, 32])));
        Assert.Contains("divisible by 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void segresnet_with_pytorch_weights_gives_pytorchs_output()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(new SegResNetOptions { InChannels = 2, OutChannels = 3, BlocksDown = [1, 2, 2], BlocksUp = [1, 1] });

        NetworkAssert.HasStateDictOf("segresnet_small", network);
        NetworkAssert.GivesPyTorchOutput("segresnet_small", network);
    }

    [Fact]
    public void segresnet_survives_a_save_and_load_round_trip()
    {
        using var scope = NewDisposeScope();
        NetworkAssert.SurvivesSaveAndLoad(
            () => new SegResNet(new SegResNetOptions { InChannels = 2, BlocksDown = [1, 1, 1], BlocksUp = [1, 1] }),
            randn([1, 2, 16, 16, 16]));
    }
}
