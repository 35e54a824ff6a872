using Cl2.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

internal static class NetworkAssert
{
    /// <summary>Same keys with the same shapes as the PyTorch reference, so a PyTorch state dict loads as it is.</summary>
    public static void HasStateDictOf(string reference, nn.Module module)
    {
        // A state dict is a mapping: TorchSharp lists a module's buffers after its parameters, PyTorch interleaves them.
        var expected = NetworkFixtures.KeysWithShapes(reference).Order(StringComparer.Ordinal).ToList();
        var actual = NetworkFixtures.KeysWithShapes(module).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
    }

    public static void HasParameterCountOf(string reference, nn.Module module, long published)
    {
        var description = module.Describe();
        Assert.Equal(published, NetworkFixtures.ParameterCount(reference));
        Assert.Equal(published, description.Parameters);
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= tolerance, $"largest difference {difference} exceeds {tolerance}");
    }

    /// <summary>Runs <paramref name="module"/> on the fixture's input, in eval mode, after loading PyTorch's weights.</summary>
    public static void GivesPyTorchOutput(string reference, nn.Module<Tensor, Tensor> module)
    {
        NetworkFixtures.LoadPyTorchWeights(module, reference);
        module.eval();
        var io = NetworkFixtures.InputsAndOutputs(reference);
        using var noGrad = no_grad();
        var output = module.forward(io["input"]);
        Assert.True(io["output"].abs().max().item<float>() > 1e-3, "the reference output is all but zero, so it checks nothing");
        Close(io["output"], output);
    }

    /// <summary>Saves with TorchSharp's format, loads into a freshly (differently) initialised twin, and compares outputs.</summary>
    public static void SurvivesSaveAndLoad(Func<nn.Module<Tensor, Tensor>> create, Tensor input)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cl2-{Guid.NewGuid():N}.weights");
        try
        {
            random.manual_seed(1);
            var original = create();
            original.eval();
            original.save(path);
            random.manual_seed(2);
            var restored = create();
            restored.eval();
            using var noGrad = no_grad();
            var before = restored.forward(input);
            restored.load(path);
            var expected = original.forward(input);
            Assert.False(before.allclose(expected), "the twin already matched before loading, so the test proves nothing");
            var again = original.forward(input);
            var after = restored.forward(input);
            Assert.True(after.allclose(expected, rtol: 0, atol: 0),
                $"outputs differ after a save/load round trip by {(after - expected).abs().max().item<float>()} (original vs itself: {(again - expected).abs().max().item<float>()})");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
