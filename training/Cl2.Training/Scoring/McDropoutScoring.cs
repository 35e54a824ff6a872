using Microsoft.Extensions.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary>
/// <c>mc-dropout</c>: epistemic uncertainty (Gal and Ghahramani 2016): <see cref="ScoringJobOptions.McDropoutPasses"/>
/// forward passes with the network's dropout layers on and everything else (normalisation) in evaluation mode; the score
/// is the variance of the class probabilities across passes, averaged over classes and voxels. A network without an
/// active dropout layer (none, or all with probability 0: the passes agree exactly) has no such variance, and is refused
/// rather than scored 0 for every case.
/// </summary>
public sealed class McDropoutScoring(IOptions<ScoringJobOptions> options) : IScoringMethod
{
    public const string MethodName = "mc-dropout";

    public string Name => MethodName;

    public double Score(nn.Module<Tensor, Tensor> network, Func<Tensor, Tensor> forward, Tensor input)
    {
        network.eval();
        var dropouts = network.modules().Where(module => module is Dropout or Dropout2d or Dropout3d).ToList();
        using var scope = NewDisposeScope();
        try
        {
            foreach (var dropout in dropouts)
            {
                dropout.train();
            }
            using (no_grad())
            {
                var passes = stack(Enumerable.Range(0, options.Value.McDropoutPasses)
                    .Select(_ => Uncertainty.Probabilities(forward(input).to_type(ScalarType.Float32))).ToList());
                var variance = passes.var(0).mean().item<float>();
                return dropouts.Count > 0 && variance > 0 ? variance : throw NoDropout(network);
            }
        }
        finally
        {
            network.eval();
        }
    }

    private static InvalidOperationException NoDropout(nn.Module network) => new(
        $"The model ({network.GetName()}) has no active dropout layer (none, or all with probability 0), so MC dropout cannot sample it: " +
        "choose the entropy strategy for this dataset, or train the model with dropout.");
}
