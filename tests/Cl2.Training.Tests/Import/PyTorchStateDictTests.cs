using Cl2.Models.Import;
using Cl2.Models.Networks;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Import;

/// <summary>State dicts written by python3-torch load into our networks by key name, and ours load into PyTorch's.</summary>
public sealed class PyTorchStateDictTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly string _directory = Directory.CreateTempSubdirectory("cl2-import-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static DenseNet SmallDenseNet(int numClasses = 2) =>
        new(new DenseNetOptions { GrowthRate = 8, BlockConfig = [2, 2, 2, 2], NumInitFeatures = 16, BnSize = 2, NumClasses = numClasses });

    internal static UNet SmallUNet2d() =>
        new(new UNetOptions { SpatialDims = 2, OutChannels = 3, Channels = [8, 16, 32, 64], Strides = [2, 2, 2] });

    public static TheoryData<string> SmallConfigurations => ["densenet_small", "unet2d_small"];

    private static nn.Module<Tensor, Tensor> Create(string configuration) =>
        configuration == "densenet_small" ? SmallDenseNet() : SmallUNet2d();

    [Theory]
    [MemberData(nameof(SmallConfigurations))]
    public void a_pytorch_state_dict_loads_by_key_name_and_gives_pytorchs_output(string configuration)
    {
        using var scope = NewDisposeScope();
        var network = Create(configuration);

        PyTorchStateDict.Load(network, NetworkFixtures.PathOf($"{configuration}.pt"));

        network.eval();
        var io = NetworkFixtures.InputsAndOutputs(configuration);
        using var noGrad = no_grad();
        NetworkAssert.Close(io["output"], network.forward(io["input"]), Tolerance);
    }

    [Fact]
    public void a_state_dict_of_another_architecture_is_refused_with_its_missing_and_unexpected_keys()
    {
        using var scope = NewDisposeScope();
        var network = SmallDenseNet();
        var before = network.state_dict()["features.conv0.weight"].clone();

        var error = Assert.Throws<StateDictMismatchException>(() => PyTorchStateDict.Load(network, NetworkFixtures.PathOf("unet2d_small.pt")));

        Assert.Contains("features.conv0.weight", error.MissingKeys);
        Assert.Contains("classifier.bias", error.MissingKeys);
        Assert.Contains("model.0.conv.unit0.conv.weight", error.UnexpectedKeys);
        Assert.Equal(network.state_dict().Count, error.MissingKeys.Count);
        Assert.Contains("missing key(s): ", error.Message);
        Assert.Contains("unexpected key(s): ", error.Message);
        Assert.True(network.state_dict()["features.conv0.weight"].allclose(before, rtol: 0, atol: 0), "a refused state dict must leave the weights alone");
    }

    [Fact]
    public void a_state_dict_for_other_hyper_parameters_is_refused_with_its_shape_mismatches()
    {
        using var scope = NewDisposeScope();
        var network = SmallDenseNet(numClasses: 3);

        var error = Assert.Throws<StateDictMismatchException>(() => PyTorchStateDict.Load(network, NetworkFixtures.PathOf("densenet_small.pt")));

        Assert.Empty(error.MissingKeys);
        Assert.Empty(error.UnexpectedKeys);
        Assert.Equal(["classifier.weight", "classifier.bias"], error.ShapeMismatches.Select(m => m.Key).Order(StringComparer.Ordinal).Reverse());
        var weight = error.ShapeMismatches.Single(m => m.Key == "classifier.weight");
        Assert.Equal([3L, 32], weight.Expected);
        Assert.Equal([2L, 32], weight.Actual);
        Assert.Contains("classifier.weight is [2,32], the network needs [3,32]", error.Message);
    }

    [Fact]
    public void a_file_that_is_not_a_state_dict_is_refused_with_what_to_do()
    {
        var path = Path.Combine(_directory, "not-a-state-dict.pt");
        File.WriteAllText(path, "weights");

        var error = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Read(path));

        Assert.Contains("torch.save(model.state_dict(), path)", error.Message);
    }

    [Theory]
    [MemberData(nameof(SmallConfigurations))]
    public async Task exported_weights_load_into_pytorch_and_give_our_output(string configuration)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var network = Create(configuration);
        // Fresh norms sit at 1/0 and running statistics at 0/1: perturb them so a key PyTorch ignored would show.
        using (no_grad())
        {
            foreach (var (key, value) in network.state_dict().Where(kv => kv.Value.dim() == 1 && kv.Value.is_floating_point()))
            {
                value.copy_(key.EndsWith("running_var", StringComparison.Ordinal) ? 0.5 + rand_like(value) : value + 0.1 * randn_like(value));
            }
        }
        network.eval();
        var input = configuration == "densenet_small" ? randn(2, 3, 64, 64) : randn(2, 1, 32, 32);
        Tensor ours;
        using (no_grad())
        {
            ours = network.forward(input);
        }
        var weights = Path.Combine(_directory, "weights.pt");
        var inputs = Path.Combine(_directory, "input.pt");
        var outputs = Path.Combine(_directory, "output.pt");

        PyTorchStateDict.Save(network, weights);
        using (var stream = File.Create(inputs))
        {
            PyTorchPickler.PickleStateDict(stream, new Dictionary<string, Tensor> { ["input"] = input });
        }
        (await PythonTorch.RunAsync("run_exported_state_dict.py", [configuration, weights, inputs, outputs])).EnsureSuccess("python3-torch loading our export");

        using var read = File.OpenRead(outputs);
        var theirs = (Tensor)PyTorchUnpickler.UnpickleStateDict(read)["output"]!;
        Assert.True(ours.abs().max().item<float>() > 1e-3, "our output is all but zero, so it checks nothing");
        NetworkAssert.Close(ours, theirs, Tolerance);
    }
}
