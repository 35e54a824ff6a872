using Cl2.Models.Networks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

public sealed class UNetTests(ITestOutputHelper output)
{
    [Fact]
    public void unet_3d_with_the_monai_tutorial_configuration_has_monais_parameter_count_and_keys()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions());
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("unet3d_default", network, 4_806_481);
        NetworkAssert.HasStateDictOf("unet3d_default", network);
        var keys = network.state_dict().Keys;
        Assert.Equal(63, keys.Count);
        Assert.Contains("model.0.conv.unit0.conv.weight", keys);
        Assert.Contains("model.0.conv.unit1.adn.A.weight", keys);
        Assert.Contains("model.0.residual.weight", keys);
        Assert.Contains("model.1.submodule.1.submodule.1.submodule.1.submodule.residual.weight", keys);
        Assert.Contains("model.2.0.conv.weight", keys);
        Assert.Contains("model.2.1.conv.unit0.conv.bias", keys);
        Assert.DoesNotContain("model.2.1.conv.unit0.adn.A.weight", keys);
    }

    [Fact]
    public void unet_3d_with_batch_norm_is_the_monai_model_zoo_spleen_network_of_4_808_917_parameters()
    {
        using var scope = NewDisposeScope();
        // The spleen_ct_segmentation bundle's network; its model.pt is reported to have 4,808,917 parameters.
        var network = new UNet(new UNetOptions { Norm = NormKind.Batch });
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("unet3d_spleen", network, 4_808_917);
        NetworkAssert.HasStateDictOf("unet3d_spleen", network);
        var keys = network.state_dict().Keys;
        Assert.Equal(148, keys.Count);
        Assert.Contains("model.0.conv.unit0.adn.N.running_var", keys);
        Assert.Contains("model.2.0.adn.N.num_batches_tracked", keys);
    }

    [Fact]
    public void unet_2d_with_the_same_configuration_has_monais_parameter_count_and_keys()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { SpatialDims = 2 });
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("unet2d_default", network, 1_625_161);
        NetworkAssert.HasStateDictOf("unet2d_default", network);
    }

    [Fact]
    public void unet_3d_gives_one_logit_per_class_and_voxel_and_backpropagates_everywhere()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { OutChannels = 3 });

        var logits = network.forward(randn([1, 1, 32, 32, 32]));

        Assert.Equal([1L, 3, 32, 32, 32], logits.shape);
        logits.square().mean().backward();
        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void unet_2d_gives_one_logit_per_class_and_pixel()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { SpatialDims = 2 });

        Assert.Equal([2L, 2, 64, 96], network.forward(randn([2, 1, 64, 96])).shape);
    }

    [Fact]
    public void unet_without_residual_units_ends_in_a_bare_transposed_convolution()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { SpatialDims = 2, NumResUnits = 0, Channels = [8, 16, 32], Strides = [2, 2] });

        var keys = network.state_dict().Keys;
        Assert.Contains("model.2.conv.weight", keys);
        Assert.DoesNotContain("model.2.adn.A.weight", keys);
        Assert.Contains("model.1.submodule.2.adn.A.weight", keys);
        Assert.Equal([1L, 2, 32, 32], network.forward(randn([1, 1, 32, 32])).shape);
    }

    [Fact]
    public void unet_rejects_an_image_it_cannot_halve_at_every_level()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { SpatialDims = 2 });

        var error = Assert.Throws<ArgumentException>(() => network.forward(zeros([1, 1, 40, 64])));
        Assert.Contains("divisible by 16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void unet_3d_with_pytorch_weights_gives_pytorchs_output()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { Channels = [4, 8, 16], Strides = [2, 2] });

        NetworkAssert.HasStateDictOf("unet3d_small", network);
        NetworkAssert.GivesPyTorchOutput("unet3d_small", network);
    }

    [Fact]
    public void unet_2d_with_pytorch_weights_gives_pytorchs_output()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { SpatialDims = 2, OutChannels = 3, Channels = [8, 16, 32, 64], Strides = [2, 2, 2] });

        NetworkAssert.HasStateDictOf("unet2d_small", network);
        NetworkAssert.GivesPyTorchOutput("unet2d_small", network);
    }

    [Fact]
    public void unet_survives_a_save_and_load_round_trip()
    {
        using var scope = NewDisposeScope();
        NetworkAssert.SurvivesSaveAndLoad(
            () => new UNet(new UNetOptions { Channels = [4, 8, 16], Strides = [2, 2] }),
            randn([1, 1, 16, 16, 16]));
    }
}
