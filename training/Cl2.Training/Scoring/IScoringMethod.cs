using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary>
/// How useful it would be to label a case, from a model's output on its image (MONAI Label's scoring methods are the
/// model): a named plug-in, chosen by the scoring job's method. Higher: label it sooner.
/// </summary>
public interface IScoringMethod
{
    string Name { get; }

    /// <param name="forward">The network's forward pass (a sliding window for volumes); the method sets the network's mode.</param>
    /// <param name="network">The network, whose mode the method sets (MC dropout turns its dropout layers on).</param>
    /// <param name="input">One case, 1×C×spatial, on the network's device.</param>
    double Score(nn.Module<Tensor, Tensor> network, Func<Tensor, Tensor> forward, Tensor input);
}

/// <summary>The scoring methods the worker knows, by name.</summary>
public sealed class ScoringMethods(IEnumerable<IScoringMethod> methods)
{
    private readonly Dictionary<string, IScoringMethod> _byName = methods.ToDictionary(method => method.Name, StringComparer.Ordinal);

    public IScoringMethod Find(string name) => _byName.TryGetValue(name, out var method)
        ? method
        : throw new InvalidOperationException(
            $"This worker has no scoring method '{name}' (it has {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}): run a worker of the same version as labeling.");
}
