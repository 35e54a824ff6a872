using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class SampleWeightingTests
{
    // Two samples of two pixels and two classes. Sample 0 is LossTests' pair (loss by hand 1.0397208 + (0.7142857 +
    // 0.5555556)/2); sample 1 has logits (0, 0) on both pixels, both background: CE = ln 2, Dice of class 0 =
    // 1 − 2·1/(1 + 2) = 1/3, of class 1 = 1 − 0/(1 + 0) = 1 (MONAI's smoothing of 1e-5 left out of the figures).
    private const double SampleZeroLoss = 1.0397208 + (0.7142857 + 0.5555556) / 2;
    private static readonly double SampleOneLoss = Math.Log(2) + (1.0 / 3 + 1) / 2;

    private static (Tensor Logits, Tensor Target) TwoSamples() => (
        tensor(new float[] { 0, 0, (float)Math.Log(3), 0, 0, 0, 0, 0 }).reshape(2, 2, 1, 2),
        tensor(new long[] { 0, 1, 0, 0 }).reshape(2, 1, 1, 2));

    [Fact]
    public void the_weighted_loss_is_the_mean_of_each_samples_loss_times_its_weight()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoSamples();

        var loss = SampleWeighting.WeightedMean(new DiceCeLoss(), logits, target, [1f, 0.25f]).item<float>();

        Assert.Equal((SampleZeroLoss + 0.25 * SampleOneLoss) / 2, loss, 4);
    }

    [Fact]
    public void weights_of_one_give_the_unweighted_loss()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoSamples();

        var loss = SampleWeighting.WeightedMean(new DiceCeLoss(), logits, target, [1f, 1f]).item<float>();

        Assert.Equal((SampleZeroLoss + SampleOneLoss) / 2, loss, 4);
        Assert.Equal(new DiceCeLoss().forward(logits, target).item<float>(), loss, 5);
    }

    [Fact]
    public void a_sample_of_weight_zero_gives_no_gradient()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoSamples();
        logits.requires_grad_(true);

        SampleWeighting.WeightedMean(new DiceCeLoss(), logits, target, [1f, 0f]).backward();

        Assert.Equal(0f, logits.grad!.narrow(0, 1, 1).abs().sum().item<float>());
        Assert.NotEqual(0f, logits.grad!.narrow(0, 0, 1).abs().sum().item<float>());
    }

    [Fact]
    public void the_loss_weighs_the_batch_the_trainer_took_last_by_its_samples_indices()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoSamples();
        // Sample 0 of the data is the batch's second sample and weighs 0.25; sample 1 is its first and weighs 1.
        var data = new InMemoryData(target.to_type(ScalarType.Float32), target);
        var weighting = new SampleWeighting([0.25, 1]);
        var weighted = weighting.Data(data);
        var loss = weighting.Loss(new DiceCeLoss());

        weighted.GetBatch([1, 0]);
        var value = loss.forward(logits.flip(0), target.flip(0)).item<float>();

        Assert.Equal((SampleOneLoss + 0.25 * SampleZeroLoss) / 2, value, 4);
    }

    [Fact]
    public void a_negative_weight_is_refused()
    {
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new SampleWeighting([1, -0.5]));
        Assert.Contains("not negative", refused.Message, StringComparison.Ordinal);
    }
}
