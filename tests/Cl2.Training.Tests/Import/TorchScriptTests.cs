using Cl2.Models.Import;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Import;

/// <summary>TorchScript archives that python3-torch 1.13 compiled and saved run in our libtorch and give PyTorch's numbers.</summary>
public sealed class TorchScriptTests
{
    [Theory]
    [InlineData("unet2d_small.script")]
    [InlineData("densenet_small.traced")]
    public void a_torchscript_model_gives_pytorchs_output(string archive)
    {
        using var scope = NewDisposeScope();
        using var network = TorchScriptNetwork.Load(NetworkFixtures.PathOf($"{archive}.pt"));
        network.eval();
        var io = NetworkFixtures.InputsAndOutputs(archive);

        using var noGrad = no_grad();
        var output = network.forward(io["input"]);

        Assert.True(io["output"].abs().max().item<float>() > 1e-3, "the reference output is all but zero, so it checks nothing");
        NetworkAssert.Close(io["output"], output, 1e-5);
    }

    [Fact]
    public void a_state_dict_is_not_taken_for_a_torchscript_model()
    {
        var error = Assert.Throws<InvalidDataException>(() => TorchScriptNetwork.Load(NetworkFixtures.PathOf("densenet_small.pt")));

        Assert.Contains("torch.jit.save", error.Message);
    }
}
