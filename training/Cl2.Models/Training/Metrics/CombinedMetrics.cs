using static TorchSharp.torch;

namespace Cl2.Models.Training.Metrics;

/// <summary>Several metric sets over the same validation pass; their names must not collide.</summary>
public sealed class CombinedMetrics(params IValidationMetrics[] parts) : IValidationMetrics
{
    public void Reset()
    {
        foreach (var part in parts)
        {
            part.Reset();
        }
    }

    public void Add(Tensor output, Tensor target)
    {
        foreach (var part in parts)
        {
            part.Add(output, target);
        }
    }

    public IReadOnlyDictionary<string, double> Compute()
    {
        var values = new Dictionary<string, double>();
        foreach (var (name, value) in parts.SelectMany(part => part.Compute()))
        {
            if (!values.TryAdd(name, value))
            {
                throw new InvalidOperationException($"two metric sets both report '{name}'");
            }
        }
        return values;
    }
}
