using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Metrics;

/// <summary>
/// Dice of named regions that are unions of classes, over a validation split (mean over cases): BraTS scores whole
/// tumour (necrosis ∪ oedema ∪ enhancing), tumour core and enhancing tumour rather than the classes themselves, and a
/// liver task scores the liver with its lesions. Reports <c>dice_{name}</c> per region.
/// The target is class indices (N×spatial or N×1×spatial); the prediction is read from the logits (N×C×spatial) as
/// <see cref="RegionPrediction"/> says.
/// </summary>
public sealed class RegionDiceMetrics(IReadOnlyList<(string Name, IReadOnlyList<int> Classes)> regions, RegionPrediction prediction = RegionPrediction.ArgmaxOfClasses)
    : IValidationMetrics
{
    private readonly List<double>[] _scores = [.. regions.Select(_ => new List<double>())];
    private readonly IReadOnlyList<IReadOnlyList<int>> _classes = [.. regions.Select(region => region.Classes)];

    public void Reset()
    {
        foreach (var list in _scores)
        {
            list.Clear();
        }
    }

    public void Add(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        var spatialDims = (int)output.dim() - 2;
        var truth = RegionMasks.Of(target.to(CPU), _classes, spatialDims).flatten(2).to_type(ScalarType.Float64);
        // Held until libtorch has read them: an implicitly converted Scalar (the alpha of Tensor + Tensor too) can be freed
        // mid-call by a collection on another thread.
        using Scalar zero = 0, one = 1;
        var predicted = prediction == RegionPrediction.SigmoidPerRegion
            ? output.to(CPU).ge(zero).flatten(2).to_type(ScalarType.Float64)
            : RegionMasks.Of(output.argmax(1).to(CPU), _classes, spatialDims).flatten(2).to_type(ScalarType.Float64);
        if (predicted.shape[1] != regions.Count)
        {
            throw new ArgumentException($"{regions.Count} regions are scored, the output has {predicted.shape[1]} region channels.", nameof(output));
        }
        var overlap = (predicted * truth).sum(2);
        var sizes = predicted.sum(2).add(truth.sum(2), one);
        for (var r = 0; r < regions.Count; r++)
        {
            var o = overlap.select(1, r).data<double>().ToArray();
            var s = sizes.select(1, r).data<double>().ToArray();
            for (var n = 0; n < o.Length; n++)
            {
                // Absent from both: they agree (DiceScore's convention).
                _scores[r].Add(s[n] == 0 ? 1 : 2 * o[n] / s[n]);
            }
        }
    }

    public IReadOnlyDictionary<string, double> Compute() => regions.Select((region, r) => (region.Name, Scores: _scores[r]))
        .ToDictionary(pair => $"dice_{pair.Name}", pair => pair.Scores.Count == 0 ? double.NaN : pair.Scores.Average());
}

/// <summary>How <see cref="RegionDiceMetrics"/> reads a region's prediction from the network's output.</summary>
public enum RegionPrediction
{
    /// <summary>One logit per exclusive class (softmax networks): the region is where the arg-max class is one of its classes.</summary>
    ArgmaxOfClasses,

    /// <summary>One logit per region, in region order (sigmoid networks): the region is where its logit is ≥ 0 (probability ≥ ½).</summary>
    SigmoidPerRegion,
}
