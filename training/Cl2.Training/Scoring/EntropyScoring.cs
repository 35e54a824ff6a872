using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary><c>entropy</c>: the mean entropy of the model's softmax over the image; the model's own uncertainty in one
/// deterministic pass (dropout off).</summary>
public sealed class EntropyScoring : IScoringMethod
{
    public const string MethodName = "entropy";

    public string Name => MethodName;

    public double Score(nn.Module<Tensor, Tensor> network, Func<Tensor, Tensor> forward, Tensor input)
    {
        using var scope = NewDisposeScope();
        network.eval();
        using (no_grad())
        {
            return Uncertainty.MeanEntropy(Uncertainty.Probabilities(forward(input).to_type(ScalarType.Float32)));
        }
    }
}
