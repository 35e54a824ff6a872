using Cl2.Models.Networks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

public sealed class DenseNet121Tests(ITestOutputHelper output)
{
    private static DenseNetOptions Small => new() { GrowthRate = 8, BlockConfig = [2, 2, 2, 2], NumInitFeatures = 16, BnSize = 2, NumClasses = 2 };

    [Fact]
    public void densenet_121_has_torchvisions_7_978_856_parameters_and_its_727_state_dict_keys()
    {
        using var scope = NewDisposeScope();
        var network = new DenseNet(new DenseNetOptions());
        output.WriteLine(network.Describe().ToString());

        NetworkAssert.HasParameterCountOf("densenet121", network, 7_978_856);
        NetworkAssert.HasStateDictOf("densenet121", network);
        var keys = network.state_dict().Keys;
        Assert.Equal(727, keys.Count);
        Assert.Contains("features.conv0.weight", keys);
        Assert.Contains("features.denseblock1.denselayer1.norm1.running_mean", keys);
        Assert.Contains("features.denseblock3.denselayer24.conv2.weight", keys);
        Assert.Contains("features.transition3.conv.weight", keys);
        Assert.Contains("features.norm5.num_batches_tracked", keys);
        Assert.Contains("classifier.bias", keys);
    }

    [Fact]
    public void densenet_121_classifies_a_batch_of_one_channel_radiographs()
    {
        using var scope = NewDisposeScope();
        var network = new DenseNet(new DenseNetOptions { InChannels = 1, NumClasses = 2 });

        var logits = network.forward(randn([2, 1, 64, 64]));

        Assert.Equal([2L, 2], logits.shape);
        nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1 })).backward();
        Assert.NotNull(network.named_parameters().Single(p => p.name == "features.conv0.weight").parameter.grad);
    }

    [Fact]
    public void densenet_with_pytorch_weights_gives_torchvisions_output()
    {
        using var scope = NewDisposeScope();
        var network = new DenseNet(Small);

        NetworkAssert.HasStateDictOf("densenet_small", network);
        NetworkAssert.GivesPyTorchOutput("densenet_small", network);
    }

    [Fact]
    public void densenet_survives_a_save_and_load_round_trip()
    {
        using var scope = NewDisposeScope();
        NetworkAssert.SurvivesSaveAndLoad(() => new DenseNet(Small), randn([2, 3, 32, 32]));
    }
}
