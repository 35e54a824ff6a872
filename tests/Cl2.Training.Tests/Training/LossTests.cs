using Cl2.Models.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class LossTests
{
    // Two pixels, two classes. Pixel 0 has logits (0, ln 3) → p = (¼, ¾) and is background; pixel 1 has logits (0, 0)
    // → p = (½, ½) and is foreground. By hand: CE = (−ln ¼ − ln ½)/2 = 1.0397208; Dice loss of class 0 =
    // 1 − 2·¼/(¾ + 1) = 0.7142857, of class 1 = 1 − 2·½/(1¼ + 1) = 0.5555556.
    private static (Tensor Logits, Tensor Target) TwoPixels() => (
        tensor(new float[] { 0, 0, (float)Math.Log(3), 0 }).reshape(1, 2, 1, 2),
        tensor(new long[] { 0, 1 }).reshape(1, 1, 1, 2));

    [Fact]
    public void dice_ce_with_background_is_the_mean_dice_of_all_classes_plus_cross_entropy()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoPixels();
        var loss = new DiceCeLoss().forward(logits, target).item<float>();
        Assert.Equal(1.0397208 + (0.7142857 + 0.5555556) / 2, loss, 4);
    }

    [Fact]
    public void dice_ce_without_background_leaves_class_zero_out_of_the_dice_term_only()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoPixels();
        var loss = new DiceCeLoss(new DiceCeLossOptions { IncludeBackground = false }).forward(logits, target.squeeze(1)).item<float>();
        Assert.Equal(1.0397208 + 0.5555556, loss, 4);
    }

    [Fact]
    public void dice_ce_weights_its_terms_by_the_lambdas()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = TwoPixels();
        var loss = new DiceCeLoss(new DiceCeLossOptions { LambdaDice = 2, LambdaCe = 0.5 }).forward(logits, target).item<float>();
        Assert.Equal(0.5 * 1.0397208 + 2 * (0.7142857 + 0.5555556) / 2, loss, 4);
    }

    [Fact]
    public void dice_ce_of_a_confident_correct_prediction_is_almost_zero_and_gradients_flow()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 20, -20, -20, 20 }).reshape(1, 2, 1, 2).requires_grad_();
        var target = tensor(new long[] { 0, 1 }).reshape(1, 1, 2);
        var loss = new DiceCeLoss().forward(logits, target);
        loss.backward();
        Assert.True(loss.item<float>() < 1e-4, $"loss {loss.item<float>()}");
        Assert.NotNull(logits.grad);
    }

    [Fact]
    public void focal_loss_of_an_undecided_positive_is_the_hand_computed_value()
    {
        using var scope = NewDisposeScope();
        var logit = zeros(1, 1);
        var positive = ones(1);
        // p_t = ½: BCE = ln 2, (1 − p_t)² = ¼, α_t = 0.25.
        Assert.Equal(Math.Log(2) * 0.25 * 0.25, new FocalLoss(gamma: 2, alpha: 0.25).forward(logit, positive).item<float>(), 5);
        Assert.Equal(Math.Log(2) * 0.25, new FocalLoss(gamma: 2, alpha: -1).forward(logit, positive).item<float>(), 5);
    }

    [Fact]
    public void focal_loss_without_focusing_or_weighting_is_binary_cross_entropy()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { -2, 0.5f, 3, -0.1f }).reshape(4, 1);
        var labels = tensor(new long[] { 0, 1, 0, 1 });
        var focal = new FocalLoss(gamma: 0, alpha: -1).forward(logits, labels).item<float>();
        var bce = new BinaryCrossEntropyLoss().forward(logits, labels).item<float>();
        // By hand: mean of softplus(−2), softplus(−0.5), softplus(3), softplus(0.1).
        var expected = new[] { -2.0, -0.5, 3, 0.1 }.Average(x => Math.Log(1 + Math.Exp(x)));
        Assert.Equal(expected, bce, 5);
        Assert.Equal(bce, focal, 5);
    }

    [Fact]
    public void focal_loss_down_weights_easy_examples_more_than_hard_ones()
    {
        using var scope = NewDisposeScope();
        var focal = new FocalLoss(gamma: 2, alpha: -1);
        var bce = new BinaryCrossEntropyLoss();
        var easy = tensor(new float[] { 4 });
        var hard = tensor(new float[] { -1 });
        var positive = ones(1);
        var easyRatio = focal.forward(easy, positive).item<float>() / bce.forward(easy, positive).item<float>();
        var hardRatio = focal.forward(hard, positive).item<float>() / bce.forward(hard, positive).item<float>();
        Assert.True(easyRatio < 0.01 && hardRatio > 0.5, $"easy ×{easyRatio}, hard ×{hardRatio}");
    }

    [Fact]
    public void a_positive_weight_counts_each_positive_that_many_times()
    {
        using var scope = NewDisposeScope();
        var logit = zeros(1);
        Assert.Equal(3 * Math.Log(2), new BinaryCrossEntropyLoss(positiveWeight: 3).forward(logit, ones(1)).item<float>(), 5);
        Assert.Equal(Math.Log(2), new BinaryCrossEntropyLoss(positiveWeight: 3).forward(logit, zeros(1)).item<float>(), 5);
    }
}
