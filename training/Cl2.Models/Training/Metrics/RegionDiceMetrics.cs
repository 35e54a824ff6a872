using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Metrics;

/// <summary>
/// Dice of named regions that are unions of classes, over a validation split (mean over cases): BraTS scores whole
/// tumour (necrosis ∪ oedema ∪ enhancing), tumour core and enhancing tumour rather than the classes themselves, and a
/// liver task scores the liver with its lesions. Reports <c>dice_{name}</c> per region. The prediction is the arg-max
/// of the logits (N×C×spatial), the target class indices (N×spatial or N×1×spatial).
/// </summary>
public sealed class RegionDiceMetrics(IReadOnlyDictionary<string, int[]> regions) : IValidationMetrics
{
    private readonly Dictionary<string, List<double>> _scores = regions.Keys.ToDictionary(name => name, _ => new List<double>());

    public void Reset()
    {
        foreach (var list in _scores.Values)
        {
            list.Clear();
        }
    }

    public void Add(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        // Held until libtorch has read it: an implicitly converted Scalar (the alpha of Tensor + Tensor too) can be freed
        // mid-call by a collection on another thread.
        using Scalar one = 1;
        var predicted = output.argmax(1).to(CPU).to_type(ScalarType.Int64);
        var truth = (target.dim() == output.dim() ? target.squeeze(1) : target).to(CPU).to_type(ScalarType.Int64);
        foreach (var (name, classes) in regions)
        {
            using var members = tensor(classes.Select(c => (long)c).ToArray());
            var p = isin(predicted, members).flatten(1).to_type(ScalarType.Float64);
            var t = isin(truth, members).flatten(1).to_type(ScalarType.Float64);
            var overlap = (p * t).sum(1).data<double>().ToArray();
            var sizes = p.sum(1).add(t.sum(1), one).data<double>().ToArray();
            for (var n = 0; n < overlap.Length; n++)
            {
                // Absent from both: they agree (DiceScore's convention).
                _scores[name].Add(sizes[n] == 0 ? 1 : 2 * overlap[n] / sizes[n]);
            }
        }
    }

    public IReadOnlyDictionary<string, double> Compute() =>
        _scores.ToDictionary(pair => $"dice_{pair.Key}", pair => pair.Value.Count == 0 ? double.NaN : pair.Value.Average());
}
