using static TorchSharp.torch;

namespace Cl2.Models.Training.Metrics;

/// <summary>
/// ROC AUC, sensitivity, specificity and accuracy of a binary classifier with one logit per case (N or N×1) over a
/// validation split; the probability is the sigmoid of the logit and a case is called positive at or above
/// <paramref name="threshold"/>. The target is 0/1 per case.
/// </summary>
public sealed class ClassificationMetrics(double threshold = 0.5) : IValidationMetrics
{
    private readonly List<double> _scores = [];
    private readonly List<bool> _labels = [];

    public void Reset()
    {
        _scores.Clear();
        _labels.Clear();
    }

    public void Add(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        var probability = output.to_type(ScalarType.Float64).sigmoid().flatten().to(CPU);
        var truth = target.to_type(ScalarType.Float64).flatten().to(CPU);
        _scores.AddRange(probability.data<double>().ToArray());
        _labels.AddRange(truth.data<double>().ToArray().Select(t => t >= 0.5));
    }

    public IReadOnlyDictionary<string, double> Compute()
    {
        var (sensitivity, specificity) = ReceiverOperating.AtThreshold(_scores, _labels, threshold);
        var correct = _scores.Zip(_labels).Count(x => x.First >= threshold == x.Second);
        return new Dictionary<string, double>
        {
            ["auc"] = ReceiverOperating.Auc(_scores, _labels),
            ["sensitivity"] = sensitivity,
            ["specificity"] = specificity,
            ["accuracy"] = _scores.Count == 0 ? double.NaN : (double)correct / _scores.Count,
        };
    }
}
