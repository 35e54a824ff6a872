using Cl2.Models.Datasets;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Training samples from cached cases (<see cref="CaseCache"/>): with a <see cref="PatchSampling"/>, a random patch of
/// <c>shape</c> per case and draw (foreground-weighted, augmented; cases smaller than the patch are zero-padded);
/// without one, the whole image resized to <c>shape</c>. Each sample draws from its own generator seeded by (seed,
/// epoch, case), so it is the same on any thread and after a resume.
/// </summary>
public sealed class PatchData(CaseCache cache, IReadOnlyList<CaseSource> cases, long seed, PatchSampling? sampling, IReadOnlyList<long> shape)
    : ISampledData
{
    public int Count => cases.Count;

    public (Tensor Input, Tensor Target) Batch(IReadOnlyList<int> indices, int epoch)
    {
        using var scope = NewDisposeScope();
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        foreach (var index in indices)
        {
            using var generator = new Generator(SampleSeed(seed, epoch, index));
            using var item = cache.Get(cases[index].Key, cases[index].Prepare);
            var (input, target) = sampling is null ? Whole(item) : Patch(item, sampling, generator);
            inputs.Add(input);
            targets.Add(target);
        }
        var batch = (Input: stack(inputs), Target: stack(targets));
        batch.Input.DetachFromDisposeScope();
        batch.Target.DetachFromDisposeScope();
        return batch;
    }

    private (Tensor Input, Tensor Target) Whole(PreparedCase item) => (
        Resample.ToSize(item.Image, shape, labels: false),
        // A class-index map is resized with its image; a classification target (one value per label) is not an image.
        item.Target.dim() == 1 ? item.Target.alias() : Resample.ToSize(item.Target, shape, labels: true));

    private (Tensor Input, Tensor Target) Patch(PreparedCase item, PatchSampling settings, Generator generator)
    {
        var image = PadTo(item.Image);
        var labels = PadTo(item.Target);
        var (patch, patchLabels) = Patches.Sample(image, labels, shape, settings.ForegroundRatio, generator);
        return settings.Augmentation.Apply(patch, patchLabels, generator);
    }

    /// <summary>Zero-pads the end of every spatial axis shorter than the patch (zero is background once normalised).</summary>
    private Tensor PadTo(Tensor volume)
    {
        var extent = volume.shape.Skip(1).ToArray();
        if (extent.Select((e, axis) => e >= shape[axis]).All(fits => fits))
        {
            return volume;
        }
        var padding = new List<long>();
        for (var axis = extent.Length - 1; axis >= 0; axis--)
        {
            padding.Add(0);
            padding.Add(Math.Max(0, shape[axis] - extent[axis]));
        }
        return nn.functional.pad(volume, [.. padding]);
    }

    /// <summary>SplitMix64 of (seed, epoch, index): independent streams per sample and epoch.</summary>
    internal static ulong SampleSeed(long seed, int epoch, int index)
    {
        var state = unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)epoch << 32) ^ (ulong)index);
        var z = unchecked(state + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
