using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Transforms;

/// <summary>
/// The random augmentation a training patch gets, as MONAI's RandFlip, RandAffine, RandScaleIntensity,
/// RandShiftIntensity and RandGaussianNoise: every draw comes from the given generator, so a seeded generator gives the
/// same patch on any thread and after a resume. Spatial transforms apply to image and labels alike (labels by nearest
/// neighbour); intensity transforms to the image only. <see cref="None"/> leaves patches as sampled.
/// </summary>
/// <param name="FlipProbability">Per spatial axis.</param>
/// <param name="AffineProbability">Of one small rotation (up to <paramref name="MaxRotationRadians"/> per axis) with
/// isotropic scaling (up to ±<paramref name="MaxScale"/>).</param>
/// <param name="IntensityScale">Each channel is multiplied by 1 + U(−s, s).</param>
/// <param name="IntensityShift">Each channel is shifted by U(−t, t) (normalised units).</param>
/// <param name="NoiseProbability">Of Gaussian noise with a standard deviation drawn from U(0, <paramref name="NoiseStd"/>).</param>
public sealed record Augmentation(
    double FlipProbability,
    double AffineProbability,
    double MaxRotationRadians,
    double MaxScale,
    double IntensityScale,
    double IntensityShift,
    double NoiseProbability,
    double NoiseStd)
{
    public static Augmentation None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>What the 3-D segmentation workloads train with: flips, small rotations (±0.2 rad ≈ 11°) and scaling
    /// (±10 %), intensity ±10 % and ±0.1, light noise.</summary>
    public static Augmentation Segmentation3D { get; } = new(0.5, 0.2, 0.2, 0.1, 0.1, 0.1, 0.15, 0.1);

    public (Tensor Image, Tensor Labels) Apply(Tensor image, Tensor labels, Generator generator)
    {
        using var scope = NewDisposeScope();
        var (augmented, augmentedLabels) = FlipProbability > 0 ? RandomAugment.Flip(image, labels, FlipProbability, generator) : (image, labels);
        if (AffineProbability > 0 && RandomAugment.Draw(generator) < AffineProbability)
        {
            (augmented, augmentedLabels) = RandomAugment.Affine(augmented, augmentedLabels, MaxRotationRadians, MaxScale, generator);
        }
        if (IntensityScale > 0 || IntensityShift > 0)
        {
            var channels = augmented.shape[0];
            var shape = new long[] { channels }.Concat(Enumerable.Repeat(1L, (int)augmented.dim() - 1)).ToArray();
            // Named Scalars, held until libtorch has read them: an implicitly converted one can be freed mid-call by a
            // collection on another thread (see Training/Optimizers/AdamUpdate).
            using Scalar one = 1, two = 2, scaleRange = IntensityScale, shiftRange = IntensityShift;
            // Scalar + Tensor and Tensor + Tensor pass an alpha of 1 that nothing keeps alive: add(x, one) instead.
            var scale = (((two * rand(shape, generator: generator)) - one) * scaleRange).add(one, one);
            var shift = ((two * rand(shape, generator: generator)) - one) * shiftRange;
            augmented = (augmented * scale).add(shift, one);
        }
        if (NoiseProbability > 0 && RandomAugment.Draw(generator) < NoiseProbability)
        {
            using Scalar std = RandomAugment.Draw(generator) * NoiseStd, one = 1;
            augmented = augmented.add(randn(augmented.shape, generator: generator) * std, one);
        }
        return (augmented.contiguous().MoveToOuterDisposeScope(), augmentedLabels.contiguous().MoveToOuterDisposeScope());
    }
}
