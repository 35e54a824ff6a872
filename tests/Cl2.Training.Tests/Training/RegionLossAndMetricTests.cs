using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>Overlapping regions (BraTS' TC = {1, 3}, WT = {1, 2, 3}, ET = {3}) built from class-index targets.</summary>
public sealed class RegionLossAndMetricTests
{
    private static readonly IReadOnlyList<IReadOnlyList<int>> Brats = [[1, 3], [1, 2, 3], [3]];

    [Fact]
    public void region_masks_are_the_unions_of_their_classes()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new long[] { 0, 1, 2, 3 }).reshape(1, 1, 1, 4);

        var masks = RegionMasks.Of(target, Brats, spatialDims: 2);

        Assert.Equal([1L, 3, 1, 4], masks.shape);
        Assert.Equal([0f, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1], masks.flatten().data<float>().ToArray());
    }

    [Fact]
    public void region_dice_loss_is_the_mean_sigmoid_dice_over_samples_and_regions()
    {
        using var scope = NewDisposeScope();
        // One region {1}, two pixels: logits 0 and ln 3 give p = ½ and ¾; the target is class 1 at pixel 1 only.
        // Dice loss = 1 − (2·¾ + s) / (½ + ¾ + 1 + s) = 1 − 1.5/2.25 = 0.3333333 (s = 1e-5 hardly moves it).
        var logits = tensor(new float[] { 0, (float)Math.Log(3) }).reshape(1, 1, 1, 2);
        var target = tensor(new long[] { 0, 1 }).reshape(1, 1, 1, 2);

        var loss = new RegionDiceLoss([[1]]).forward(logits, target).item<float>();

        Assert.Equal(1 - 1.5 / 2.25, loss, 4);
    }

    [Fact]
    public void a_cross_entropy_weight_adds_that_share_of_the_regions_binary_cross_entropy_to_the_dice_loss()
    {
        using var scope = NewDisposeScope();
        // The pixels above: binary cross-entropy −ln(1 − ½) and −ln ¾, mean 0.4904146; with weight ½ the loss is
        // 0.3333333 + ½ · 0.4904146 = 0.5785406.
        var logits = tensor(new float[] { 0, (float)Math.Log(3) }).reshape(1, 1, 1, 2);
        var target = tensor(new long[] { 0, 1 }).reshape(1, 1, 1, 2);

        var loss = new RegionDiceLoss([[1]], crossEntropyWeight: 0.5).forward(logits, target).item<float>();

        Assert.Equal((1 - (1.5 / 2.25)) + (0.5 * (Math.Log(2) - Math.Log(0.75)) / 2), loss, 4);
    }

    [Fact]
    public void region_dice_loss_of_confident_correct_regions_is_almost_zero_and_gradients_flow()
    {
        using var scope = NewDisposeScope();
        // Classes 0, 1, 2, 3 at four pixels; per region, +20 where the pixel's class is in it, −20 where not.
        var logits = tensor(new float[] { -20, 20, -20, 20, -20, 20, 20, 20, -20, -20, -20, 20 }).reshape(1, 3, 1, 4).requires_grad_();
        var target = tensor(new long[] { 0, 1, 2, 3 }).reshape(1, 1, 4);

        var loss = new RegionDiceLoss(Brats).forward(logits, target);
        loss.backward();

        Assert.True(loss.item<float>() < 1e-4, $"loss {loss.item<float>()}");
        Assert.NotNull(logits.grad);
    }

    [Fact]
    public void region_dice_loss_refuses_logits_with_a_channel_count_other_than_its_regions()
    {
        using var scope = NewDisposeScope();
        var refused = Assert.Throws<ArgumentException>(() => new RegionDiceLoss(Brats).forward(zeros(1, 4, 2, 2), zeros(1, 1, 2, 2)));
        Assert.Contains("N×3×spatial logits", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void region_dice_of_sigmoid_outputs_thresholds_each_region_at_probability_one_half()
    {
        using var scope = NewDisposeScope();
        var metrics = new RegionDiceMetrics([("tc", [1, 3]), ("wt", [1, 2, 3])], RegionPrediction.SigmoidPerRegion);
        // Truth classes 0, 2, 1, 3 → TC at pixels 2, 3; WT at 1, 2, 3. Predicted TC at 3 only, WT at 0, 1, 2, 3.
        var logits = tensor(new float[] { -1, -1, -0.1f, 0.1f, 1, 1, 1, 1 }).reshape(1, 2, 1, 4);
        var target = tensor(new long[] { 0, 2, 1, 3 }).reshape(1, 1, 1, 4);

        metrics.Add(logits, target);
        var values = metrics.Compute();

        Assert.Equal(2.0 * 1 / (1 + 2), values["dice_tc"], 12);
        Assert.Equal(2.0 * 3 / (4 + 3), values["dice_wt"], 12);
    }

    [Fact]
    public void region_dice_of_class_logits_takes_the_argmax_class_into_each_region()
    {
        using var scope = NewDisposeScope();
        var metrics = new RegionDiceMetrics([("liver", [1, 2])]);
        // Arg-max classes 0, 2, 1 against truth 1, 2, 1: liver predicted at pixels 1, 2; true at 0, 1, 2.
        var logits = tensor(new float[] { 5, 0, 0, 0, 0, 5, 0, 5, 0 }).reshape(1, 3, 1, 3);
        var target = tensor(new long[] { 1, 2, 1 }).reshape(1, 1, 3);

        metrics.Add(logits, target);

        Assert.Equal(2.0 * 2 / (2 + 3), metrics.Compute()["dice_liver"], 12);
    }
}
