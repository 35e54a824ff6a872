using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Inference;

/// <summary>
/// Sliding-window inference, as MONAI's SlidingWindowInferer with Gaussian blending: the network sees windows of
/// <paramref name="roiSize"/> that overlap by the given fraction; each window's output is weighted by a Gaussian
/// centred on the window (σ = <paramref name="sigmaScale"/> × window size), so seams at window edges, where the
/// network sees least context, count least; the weighted sum is divided by the summed weights. A volume smaller than the
/// window is zero-padded and the output cropped back. <paramref name="batchSize"/> windows go through the predictor at
/// once (stacked along the batch axis), as MONAI's <c>sw_batch_size</c>.
/// </summary>
public sealed class SlidingWindowInference(IReadOnlyList<long> roiSize, double overlap = 0.25, double sigmaScale = 0.125, int batchSize = 1)
{
    public Tensor Run(Tensor image, Func<Tensor, Tensor> predictor)
    {
        if (overlap is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, "overlap is a fraction of the window in [0, 1)");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var spatial = (int)image.dim() - 2;
        if (spatial != roiSize.Count)
        {
            throw new ArgumentException($"a {roiSize.Count}-D window for an image of shape {string.Join('×', image.shape)} (N×C×spatial)");
        }
        using var scope = NewDisposeScope();
        var original = image.shape.Skip(2).ToArray();
        var padded = Pad(image, original);
        var extent = padded.shape.Skip(2).ToArray();
        var importance = Gaussian().to(image.device);
        Tensor? sum = null;
        var weights = zeros(new long[] { 1, 1 }.Concat(extent).ToArray(), device: image.device);
        var perWindow = image.shape[0];
        // add_(tensor) would pass TorchSharp's own implicit Scalar alpha (1), unreachable during the native call: a
        // collection could free it while libtorch reads it (see NormaliseIntensity). This one lives until the end.
        using Scalar one = 1;
        foreach (var starts in Starts(extent).Chunk(batchSize))
        {
            using var windowScope = NewDisposeScope();
            var windows = starts.Length == 1 ? Slice(padded, starts[0]) : cat([.. starts.Select(start => Slice(padded, start))], 0);
            var outputs = predictor(windows).to_type(ScalarType.Float32);
            sum ??= zeros(new[] { perWindow, outputs.shape[1] }.Concat(extent).ToArray(), device: image.device).MoveToOuterDisposeScope();
            for (var i = 0; i < starts.Length; i++)
            {
                Slice(sum, starts[i]).add_(outputs.narrow(0, i * perWindow, perWindow) * importance, one);
                Slice(weights, starts[i]).add_(importance, one);
            }
        }
        var blended = sum! / weights;
        for (var axis = 0; axis < spatial; axis++)
        {
            blended = blended.narrow(axis + 2, 0, original[axis]);
        }
        return blended.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The blending weights of one window: a separable Gaussian, 1 at the centre, never below 1e-3 (so every
    /// voxel gets some weight even at a corner). Its numbers go to libtorch as named Scalars, disposed after use, as in
    /// <see cref="Transforms.NormaliseIntensity"/> (an implicit one may be finalized while libtorch reads it).</summary>
    public Tensor Gaussian()
    {
        // Its own scope, as Run's: the per-axis intermediates stay referenced until freed here; the map goes to the
        // caller's scope, or to none.
        using var scope = NewDisposeScope();
        Tensor? map = null;
        for (var axis = 0; axis < roiSize.Count; axis++)
        {
            var size = roiSize[axis];
            var sigma = sigmaScale * size;
            // arange(stop) adds an implicit start and step that nothing keeps alive: all three named.
            using Scalar start = 0, end = size, step = 1, centre = (size - 1) / 2.0, twoVariances = 2 * sigma * sigma;
            var coordinates = arange(start, end, step, dtype: ScalarType.Float32) - centre;
            var profile = (-(coordinates * coordinates) / twoVariances).exp();
            var shape = Enumerable.Repeat(1L, roiSize.Count).ToArray();
            shape[axis] = size;
            var shaped = profile.reshape(shape);
            map = map is null ? shaped : map * shaped;
        }
        using Scalar floor = 1e-3;
        return (map! / map!.max()).clamp_min(floor).MoveToOuterDisposeScope();
    }

    /// <summary>Window origins per axis: every step of window × (1 − overlap), the last one flush with the end.</summary>
    private IEnumerable<long[]> Starts(long[] extent)
    {
        var perAxis = extent.Select((e, axis) =>
        {
            var step = Math.Max(1, (long)(roiSize[axis] * (1 - overlap)));
            var starts = new List<long>();
            for (long s = 0; s + roiSize[axis] < e; s += step)
            {
                starts.Add(s);
            }
            starts.Add(e - roiSize[axis]);
            return starts.Distinct().ToArray();
        }).ToArray();
        IEnumerable<long[]> combinations = [[]];
        foreach (var axis in perAxis)
        {
            combinations = combinations.SelectMany(prefix => axis.Select(s => prefix.Append(s).ToArray()));
        }
        return combinations;
    }

    private Tensor Pad(Tensor image, long[] original)
    {
        var padding = new List<long>();
        for (var axis = original.Length - 1; axis >= 0; axis--)
        {
            padding.Add(0);
            padding.Add(Math.Max(0, roiSize[axis] - original[axis]));
        }
        return padding.All(p => p == 0) ? image.alias() : nn.functional.pad(image, padding.ToArray());
    }

    private Tensor Slice(Tensor volume, long[] start)
    {
        var result = volume;
        for (var axis = 0; axis < start.Length; axis++)
        {
            result = result.narrow(axis + 2, start[axis], roiSize[axis]);
        }
        return result;
    }
}
