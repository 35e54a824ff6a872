using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Per-sample loss weights, for training data whose samples are not all equally trusted (a radiologist's accepted model
/// output counts less than an annotator's label). A batch's loss is the mean over its samples of each sample's loss
/// times its weight: a sample of weight ½ pulls half as hard as one of weight 1, whatever the batch size. (A mean
/// normalised by the sum of the weights would cancel the weight in a batch of one sample, and micro-batches here are
/// often one case.) The weighted cases are not duplicated: each is drawn once per epoch like any other.
/// <para>The trainer takes a batch, computes its loss and only then takes the next, all on its own thread, so
/// <see cref="Data"/> notes the weights of the batch it handed out last and <see cref="Loss"/> weighs that batch; the
/// trainer itself stays unaware of weights. Validation does not go through either.</para>
/// </summary>
public sealed class SampleWeighting
{
    private readonly float[] _weights;
    private float[]? _batch;

    /// <param name="weights">One weight per training sample, in the data's order: finite and not negative.</param>
    public SampleWeighting(IReadOnlyList<double> weights)
    {
        var invalid = weights.Where(weight => !double.IsFinite(weight) || weight < 0).ToList();
        if (invalid.Count > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weights), invalid[0], "A sample weight is finite and not negative.");
        }
        _weights = [.. weights.Select(weight => (float)weight)];
    }

    /// <summary>True when some sample weighs other than 1, so weighting changes the loss at all.</summary>
    public bool IsWeighted => _weights.Any(weight => weight != 1f);

    /// <summary>The training data, noting each batch's weights as the trainer takes it.</summary>
    public IEpochPlannedData Data(ITrainingData data)
    {
        if (data.Count != _weights.Length)
        {
            throw new ArgumentException($"The data has {data.Count} samples and the weighting {_weights.Length} weights; give one weight per sample.", nameof(data));
        }
        return new WeightedData(this, data);
    }

    /// <summary>The loss of the batch last taken from <see cref="Data"/>, weighted per sample.</summary>
    /// <param name="loss">A loss that is the mean of its samples' losses (as <see cref="Losses.DiceCeLoss"/> is), so it can be asked per sample.</param>
    public nn.Module<Tensor, Tensor, Tensor> Loss(nn.Module<Tensor, Tensor, Tensor> loss) => new WeightedLoss(this, loss);

    /// <summary>The mean over the batch of each sample's loss times its weight.</summary>
    public static Tensor WeightedMean(nn.Module<Tensor, Tensor, Tensor> loss, Tensor output, Tensor target, IReadOnlyList<float> weights)
    {
        if (output.shape[0] != weights.Count)
        {
            throw new ArgumentException($"The batch has {output.shape[0]} samples and {weights.Count} weights.", nameof(weights));
        }
        if (weights.All(weight => weight == 1f))
        {
            return loss.forward(output, target);
        }
        var perSample = new List<Tensor>();
        for (var i = 0; i < weights.Count; i++)
        {
            perSample.Add(loss.forward(output.narrow(0, i, 1), target.narrow(0, i, 1)));
        }
        using var weightTensor = tensor([.. weights], device: output.device);
        return (stack(perSample) * weightTensor).mean();
    }

    private sealed class WeightedData(SampleWeighting weighting, ITrainingData data) : IEpochPlannedData
    {
        public int Count => data.Count;

        public void PlanEpoch(int epoch, IReadOnlyList<int> order, int batchSize, int firstBatch) =>
            (data as IEpochPlannedData)?.PlanEpoch(epoch, order, batchSize, firstBatch);

        public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices)
        {
            var batch = data.GetBatch(indices);
            weighting._batch = [.. indices.Select(index => weighting._weights[index])];
            return batch;
        }
    }

    private sealed class WeightedLoss(SampleWeighting weighting, nn.Module<Tensor, Tensor, Tensor> loss) : nn.Module<Tensor, Tensor, Tensor>("SampleWeightedLoss")
    {
        public override Tensor forward(Tensor input, Tensor target) => WeightedMean(loss, input, target,
            weighting._batch ?? throw new InvalidOperationException("The weighted loss was asked before any batch was taken from the weighted data."));
    }
}
