using static TorchSharp.torch;

namespace Cl2.Models.Training.Metrics;

/// <summary>
/// Accumulates a network's outputs over the validation split, then reduces them to named values ("mean_dice",
/// "auc", …) that early stopping and the progress reports use. Values are copied to the CPU as arrays in
/// <see cref="Add"/>, so no tensor outlives the batch.
/// </summary>
public interface IValidationMetrics
{
    void Reset();

    /// <param name="output">The network's logits for one batch (any device, any float type).</param>
    /// <param name="target">The batch's targets as the data set gives them.</param>
    void Add(Tensor output, Tensor target);

    IReadOnlyDictionary<string, double> Compute();
}
