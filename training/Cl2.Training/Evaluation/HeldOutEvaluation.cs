using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Datasets;
using Cl2.Models.Inference;
using Cl2.Models.Training;
using Cl2.Models.Training.Metrics;
using Cl2.Training.Jobs;
using static TorchSharp.torch;

namespace Cl2.Training.Evaluation;

/// <summary>
/// Scores a candidate and the production version on the same held-out cases, the way validation scores (whole cases,
/// with the training's sliding window where it samples patches), by the workload's key metric: the dataset's fixed test
/// split (TEST) and the held-out corrected feedback cases with the corrections as ground truth (FEEDBACK). A set without
/// cases is sent with a count of 0, and without production (none in production) with no production figure: labeling's
/// gate says what either means. A feedback set whose metric is not defined on its cases (an AUC over corrections that all
/// name one class) is sent as a set without cases too, so the gate judges on the test split alone; an undefined metric on
/// the test split fails the job, saying what to do.
/// </summary>
public static class HeldOutEvaluation
{
    public static IReadOnlyList<EvaluationSetInput> Score(nn.Module<Tensor, Tensor> candidate, nn.Module<Tensor, Tensor>? production,
        HeldOutCases heldOut, CaseCache cache, Func<IValidationMetrics> createMetrics, string metric, StreamingDataset data, ComputeDevice device,
        CancellationToken cancellationToken)
    {
        EvaluationSetInput Set(EvaluationSplit split, IReadOnlyList<CaseSource> cases)
        {
            if (cases.Count == 0)
            {
                return new EvaluationSetInput(split, metric, 0, 0, null);
            }
            var whole = new WholeVolumeData(cache, cases, data.Sampling is null ? data.SampleShape : null);
            if (Value(candidate, whole, createMetrics(), metric, data.ValidationWindow, device.Device, cancellationToken) is not { } candidateValue)
            {
                return split == EvaluationSplit.Feedback
                    ? new EvaluationSetInput(split, metric, 0, 0, null)
                    : throw new InvalidOperationException(
                        $"The '{metric}' on {cases.Count} held-out test cases is not defined; the gate needs a number: hold out more cases " +
                        "(an AUC needs positive and negative ones) with fixDatasetSplit on a new dataset.");
            }
            double? productionValue = production is null
                ? null
                : Value(production, whole, createMetrics(), metric, data.ValidationWindow, device.Device, cancellationToken);
            return new EvaluationSetInput(split, metric, cases.Count, candidateValue, productionValue);
        }
        return [Set(EvaluationSplit.Test, heldOut.Test), Set(EvaluationSplit.Feedback, heldOut.Feedback)];
    }

    /// <summary>The network's metric over the cases, one case per batch (whole cases of different sizes do not stack); null
    /// where it is not defined on them.</summary>
    private static double? Value(nn.Module<Tensor, Tensor> network, ITrainingData cases, IValidationMetrics metrics, string metric,
        IReadOnlyList<long>? window, Device device, CancellationToken cancellationToken)
    {
        var wasTraining = network.training;
        network.eval();
        metrics.Reset();
        using (no_grad())
        {
            var sliding = window is null ? null : new SlidingWindowInference(window);
            for (var index = 0; index < cases.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (input, target) = cases.GetBatch([index]);
                var onDevice = input.to(device);
                metrics.Add(sliding is null ? network.forward(onDevice) : sliding.Run(onDevice, network.forward), target);
            }
        }
        network.train(wasTraining);
        var values = metrics.Compute();
        return values.TryGetValue(metric, out var value) && double.IsFinite(value) ? value : null;
    }
}
