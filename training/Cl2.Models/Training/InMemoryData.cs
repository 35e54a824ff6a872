using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>Samples held as two tensors whose first axis is the sample (small cohorts, tests); the caller owns them.</summary>
public sealed class InMemoryData(Tensor inputs, Tensor targets) : ITrainingData
{
    public int Count { get; } = (int)inputs.shape[0];

    public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices)
    {
        using var index = tensor(indices.Select(i => (long)i).ToArray());
        return (inputs.index_select(0, index), targets.index_select(0, index));
    }
}
