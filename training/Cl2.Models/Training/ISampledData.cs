using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Training samples drawn at random but reproducibly: the batch of <paramref name="indices"/> in
/// <paramref name="epoch"/> depends only on them (and the data's seed), never on the thread or on what was drawn
/// before, so batches can be prepared in the background and a resumed run draws what the first one would have.
/// </summary>
public interface ISampledData
{
    int Count { get; }

    /// <summary>The batch as CPU tensors not held by any dispose scope (it may be made on another thread); the caller disposes it.</summary>
    (Tensor Input, Tensor Target) Batch(IReadOnlyList<int> indices, int epoch);
}
