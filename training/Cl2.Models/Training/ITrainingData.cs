using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>A data set the trainer draws batches from by index; it decides loading, augmentation and caching.</summary>
public interface ITrainingData
{
    int Count { get; }

    /// <summary>The batch (input, target) of the samples at <paramref name="indices"/>, as CPU tensors; the trainer
    /// disposes them after the step. Random augmentation should draw from libtorch's generator, which checkpoints save.</summary>
    (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices);
}
