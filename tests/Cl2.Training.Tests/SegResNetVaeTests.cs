using Cl2.Models.Networks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

public sealed class SegResNetVaeTests(ITestOutputHelper output)
{
    private static SegResNetVaeOptions Small(bool estimateStd = false, double defaultStd = 0.3) => new()
    {
        Network = new SegResNetOptions
        {
            InChannels = 2,
            OutChannels = 3,
            BlocksDown = [1, 1, 1],
            BlocksUp = [1, 1],
            UpsampleMode = SegResNetUpsample.Deconv,
        },
        InputImageSize = [16, 16, 16],
        VaeNz = 16,
        VaeEstimateStd = estimateStd,
        VaeDefaultStd = defaultStd,
    };

    [Fact]
    public void segresnet_vae_for_brats_crops_has_monais_parameter_count_and_state_dict_keys()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNetVae(new SegResNetVaeOptions
        {
            Network = new SegResNetOptions { InitFilters = 32, InChannels = 4, OutChannels = 3 },
            InputImageSize = [160, 192, 128],
        });
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("segresnetvae_brats", network, 30_726_935);
        NetworkAssert.HasStateDictOf("segresnetvae_brats", network);
        var keys = network.state_dict().Keys;
        Assert.Contains("vae_down.2.conv.bias", keys);
        Assert.Contains("vae_fc2.weight", keys);
        Assert.Contains("vae_fc_up_sample.0.conv.weight", keys);
        Assert.Contains("vae_conv_final.2.conv.weight", keys);
    }

    [Fact]
    public void a_training_pass_returns_the_segmentation_and_both_vae_loss_terms_and_trains_the_whole_branch()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNetVae(Small(estimateStd: true));
        network.train();
        var input = randn([2, 2, 16, 16, 16]);

        var result = network.ForwardWithVae(input);

        Assert.Equal([2L, 3, 16, 16, 16], result.Segmentation.shape);
        Assert.Equal(0, result.LatentLoss.dim());
        Assert.Equal(0, result.ReconstructionLoss.dim());
        Assert.True(result.LatentLoss.item<float>() >= 0, $"a KL divergence is never negative, got {result.LatentLoss.item<float>()}");
        Assert.True(result.ReconstructionLoss.item<float>() > 0);
        result.TotalLoss(result.Segmentation.square().mean()).backward();
        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void a_few_adam_steps_on_the_papers_total_loss_lower_it()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var network = new SegResNetVae(Small(estimateStd: true));
        network.train();
        var optimizer = optim.Adam(network.parameters(), lr: 1e-3);
        var input = randn([2, 2, 16, 16, 16]);
        var target = (input[.., ..1] > 0).to_type(ScalarType.Float32).expand(2, 3, 16, 16, 16);

        float Step()
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var result = network.ForwardWithVae(input);
            var loss = result.TotalLoss(nn.functional.binary_cross_entropy_with_logits(result.Segmentation, target));
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        var first = Step();
        var last = Enumerable.Range(0, 5).Select(_ => Step()).Last();
        Assert.True(last < first, $"loss went from {first} to {last}");
    }

    [Fact]
    public void with_a_fixed_sigma_the_second_latent_layer_is_kept_for_the_checkpoint_but_not_trained()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNetVae(Small(estimateStd: false));

        network.ForwardWithVae(randn([1, 2, 16, 16, 16])).VaeLoss.backward();

        var named = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Null(named["vae_fc2.weight"].grad);
        Assert.NotNull(named["vae_fc1.weight"].grad);
    }

    [Fact]
    public void the_total_loss_weights_reconstruction_and_kl_by_a_tenth_as_in_myronenko_2018()
    {
        using var scope = NewDisposeScope();
        var result = new SegResNetVaeOutput(zeros(1), tensor(2.0f), tensor(3.0f));

        Assert.Equal(5.0f, result.VaeLoss.item<float>(), 5);
        Assert.Equal(1.0f + 0.3f + 0.2f, result.TotalLoss(tensor(1.0f)).item<float>(), 5);
    }

    [Fact]
    public void the_vae_branch_refuses_a_crop_of_another_size_than_it_was_built_for()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNetVae(Small());

        Assert.Equal([1L, 3, 32, 32, 32], network.forward(zeros([1, 2, 32, 32, 32])).shape);
        var error = Assert.Throws<ArgumentException>(() => network.ForwardWithVae(zeros([1, 2, 32, 32, 32])));
        Assert.Contains("16×16×16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void segresnet_vae_with_pytorch_weights_gives_pytorchs_segmentation_and_vae_losses()
    {
        using var scope = NewDisposeScope();
        // σ = 0 makes the VAE deterministic, so its losses can be compared with PyTorch's.
        var network = new SegResNetVae(Small(defaultStd: 0.0));
        NetworkAssert.HasStateDictOf("segresnetvae_small", network);
        NetworkAssert.GivesPyTorchOutput("segresnetvae_small", network);

        var io = NetworkFixtures.InputsAndOutputs("segresnetvae_small");
        using var noGrad = no_grad();
        var result = network.ForwardWithVae(io["input"]);
        NetworkAssert.Close(io["output"], result.Segmentation);
        NetworkAssert.Close(io["latent_loss"], result.LatentLoss.reshape(1));
        NetworkAssert.Close(io["reconstruction_loss"], result.ReconstructionLoss.reshape(1));
    }
}
