using Cl2.Models.Inference;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Transforms;

public sealed class TransformTests
{
    [Fact]
    public void resampling_to_half_the_spacing_doubles_the_size_and_keeps_a_constant_image_constant()
    {
        using var scope = NewDisposeScope();
        var image = full(new long[] { 2, 4, 6, 8 }, 3.5f);
        var resampled = Resample.Image(image, [2.0, 2.0, 2.0], [1.0, 1.0, 1.0]);
        Assert.Equal(new long[] { 2, 8, 12, 16 }, resampled.shape);
        Assert.True(resampled.allclose(full_like(resampled, 3.5f)));
        var coarser = Resample.Image(full(new long[] { 1, 10, 10 }, 1f), [1.0, 1.5], [2.0, 3.0]);
        Assert.Equal(new long[] { 1, 5, 5 }, coarser.shape);
    }

    [Fact]
    public void resampling_labels_takes_the_nearest_voxel_so_no_new_label_appears()
    {
        using var scope = NewDisposeScope();
        var labels = zeros(new long[] { 1, 8, 8, 8 }, ScalarType.Int64);
        labels[TensorIndex.Colon, TensorIndex.Slice(0, 4)] = tensor(1L);
        labels[TensorIndex.Colon, TensorIndex.Slice(4, 8), TensorIndex.Slice(0, 2)] = tensor(2L);
        var resampled = Resample.Labels(labels, [1.0, 1.0, 1.0], [0.7, 1.3, 2.0]);
        Assert.Equal(ScalarType.Int64, resampled.dtype);
        Assert.Equal(new long[] { 1, 11, 6, 4 }, resampled.shape);
        Assert.Equal(new long[] { 0, 1, 2 }, resampled.unique().Item1.data<long>().ToArray());
    }

    [Fact]
    public void a_ct_window_clips_and_scales_hounsfield_units_to_the_unit_interval()
    {
        using var scope = NewDisposeScope();
        var scaled = NormaliseIntensity.CtWindow(tensor(new[] { -1000f, -175f, 37.5f, 250f, 1500f }), -175, 250);
        Assert.Equal(new[] { 0f, 0f, 0.5f, 1f, 1f }, scaled.data<float>().ToArray());
    }

    [Fact]
    public void mri_z_score_uses_the_foreground_only_and_leaves_the_background_at_zero()
    {
        using var scope = NewDisposeScope();
        var image = zeros(1, 4, 4, 4);
        image[0, TensorIndex.Slice(0, 2)] = tensor(100f);
        image[0, TensorIndex.Slice(2, 3)] = tensor(300f);
        image[0, 3, 0, 0] = tensor(2f); // below a tenth of the maximum: background
        var normalised = NormaliseIntensity.ZScoreForeground(image);
        var foreground = normalised.masked_select(image > 30);
        Assert.Equal(0, foreground.mean().item<float>(), 4);
        Assert.Equal(1, foreground.std().item<float>(), 4);
        Assert.Equal(0, normalised[0, 3].abs().sum().item<float>());
    }

    [Fact]
    public void flips_move_image_and_labels_together_and_the_same_seed_flips_the_same_way()
    {
        using var scope = NewDisposeScope();
        var image = arange(2 * 3 * 4, dtype: ScalarType.Float32).reshape(1, 2, 3, 4);
        var labels = image.to_type(ScalarType.Int64);
        var (flipped, flippedLabels) = RandomAugment.Flip(image, labels, probability: 1);
        Assert.True(flipped.eq(image.flip(1, 2, 3)).all().item<bool>());
        Assert.True(flippedLabels.eq(flipped.to_type(ScalarType.Int64)).all().item<bool>());
        var first = RandomAugment.Flip(image, labels, 0.5, new Generator(7)).Image;
        var second = RandomAugment.Flip(image, labels, 0.5, new Generator(7)).Image;
        Assert.True(first.eq(second).all().item<bool>());
    }

    [Fact]
    public void an_identity_affine_changes_nothing_and_a_rotation_keeps_labels_integral()
    {
        using var scope = NewDisposeScope();
        var image = rand(new long[] { 1, 6, 6, 6 }, generator: new Generator(1));
        var labels = (image > 0.5).to_type(ScalarType.Int64);
        var (same, sameLabels) = RandomAugment.ApplyAffine(image, labels, new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, 1);
        Assert.True(same.allclose(image, atol: 1e-5));
        Assert.True(sameLabels.eq(labels).all().item<bool>());
        var (rotated, rotatedLabels) = RandomAugment.Affine(image, labels, 0.3, 0.1, new Generator(2));
        Assert.Equal(image.shape, rotated.shape);
        Assert.True(rotatedLabels.unique().Item1.data<long>().ToArray().All(v => v is 0 or 1));
    }

    [Fact]
    public void patches_with_a_foreground_ratio_of_one_always_contain_foreground()
    {
        using var scope = NewDisposeScope();
        var image = rand(new long[] { 1, 16, 16, 16 }, generator: new Generator(3));
        var labels = zeros(new long[] { 1, 16, 16, 16 }, ScalarType.Int64);
        labels[0, 14, 1, 13] = tensor(1L);
        var generator = new Generator(4);
        for (var i = 0; i < 10; i++)
        {
            var (patch, patchLabels) = Patches.Sample(image, labels, [6, 6, 6], foregroundRatio: 1, generator);
            Assert.True(patch.shape.SequenceEqual(new long[] { 1, 6, 6, 6 }), string.Join('×', patch.shape));
            Assert.Equal(1, patchLabels.sum().item<long>());
        }
        var background = Enumerable.Range(0, 20).Count(_ => Patches.Sample(image, labels, [6, 6, 6], 0, generator).Labels.sum().item<long>() == 0);
        Assert.True(background > 10, $"{background} of 20 background-ratio patches missed the single foreground voxel");
    }

    [Fact]
    public void sliding_window_blending_of_a_constant_predictor_gives_the_constant()
    {
        using var scope = NewDisposeScope();
        var image = zeros(new long[] { 1, 1, 13, 17, 9 });
        var output = new SlidingWindowInference([8, 8, 8], overlap: 0.5).Run(image, window => full(new long[] { 1, 3, 8, 8, 8 }, 2.5f));
        Assert.Equal(new long[] { 1, 3, 13, 17, 9 }, output.shape);
        Assert.True(output.allclose(full_like(output, 2.5f), atol: 1e-5));
    }

    [Fact]
    public void sliding_window_of_the_identity_returns_the_image_even_when_it_is_smaller_than_the_window()
    {
        using var scope = NewDisposeScope();
        var image = rand(new long[] { 2, 2, 20, 11 }, generator: new Generator(5));
        var windows = 0;
        var output = new SlidingWindowInference([8, 16], overlap: 0.25).Run(image, window =>
        {
            windows++;
            return window.clone();
        });
        Assert.True(output.allclose(image, atol: 1e-5));
        Assert.Equal(3, windows); // rows 0, 6, 12; the 11 columns padded to one window of 16
    }

    [Fact]
    public void sliding_window_in_batches_of_windows_gives_what_one_window_at_a_time_gives()
    {
        using var scope = NewDisposeScope();
        var image = rand(new long[] { 1, 2, 20, 11, 13 }, generator: new Generator(7));
        using var conv = nn.Conv3d(2, 3, 3, padding: 1);
        using (no_grad())
        {
            var single = new SlidingWindowInference([8, 8, 8], overlap: 0.5).Run(image, window => conv.forward(window));
            var passes = 0;
            var batched = new SlidingWindowInference([8, 8, 8], overlap: 0.5, batchSize: 4).Run(image, windows =>
            {
                passes++;
                return conv.forward(windows);
            });
            Assert.True(batched.allclose(single, atol: 1e-5));
            Assert.Equal(6, passes); // 4 × 2 × 3 = 24 windows, 4 at a time
        }
    }

    [Fact]
    public void the_gaussian_weights_peak_at_the_window_centre()
    {
        using var scope = NewDisposeScope();
        var weights = new SlidingWindowInference([9, 9]).Gaussian();
        Assert.Equal(1, weights[4, 4].item<float>(), 5);
        Assert.True(weights[0, 0].item<float>() < weights[2, 2].item<float>());
        Assert.True(weights.min().item<float>() >= 1e-3f);
    }
}
