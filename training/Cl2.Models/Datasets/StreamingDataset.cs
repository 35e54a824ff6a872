using Cl2.Models.Training;
using Cl2.Models.Workloads;

namespace Cl2.Models.Datasets;

/// <summary>
/// A job's training and validation data, streamed from the <see cref="CaseCache"/> rather than held whole: every case
/// is prepared into the disk cache first (read once; later epochs and jobs read the cache), then training draws
/// patches (or whole images) on background loader threads (<see cref="PrefetchingData"/>) and validation reads whole
/// cases. Memory is bounded by the batch, the prefetch queue and the cache's RAM budget, not by the number of cases.
/// </summary>
public sealed class StreamingDataset : IDisposable
{
    private StreamingDataset(PrefetchingData training, WholeVolumeData validation, IReadOnlyList<double> spacing, long[] sampleShape,
        PatchSampling? sampling)
    {
        Training = training;
        Validation = validation;
        Spacing = spacing;
        SampleShape = sampleShape;
        Sampling = sampling;
    }

    public PrefetchingData Training { get; }

    public WholeVolumeData Validation { get; }

    /// <summary>The first training case's spacing in array order (mm), the sampling's when it sets one: the model's input spacing.</summary>
    public IReadOnlyList<double> Spacing { get; }

    /// <summary>The spatial shape of a training sample: the patch, or the whole image's size.</summary>
    public long[] SampleShape { get; }

    public PatchSampling? Sampling { get; }

    /// <summary>The sliding window validation runs with (the patch), or null for whole-batch validation.</summary>
    public IReadOnlyList<long>? ValidationWindow => Sampling is null ? null : SampleShape;

    /// <summary>Opens the data set over cases already in <paramref name="cache"/> (<see cref="CaseCache.Ensure"/>).</summary>
    /// <param name="sampling">The workload's sampling as the job's recipe sets it (<see cref="PatchSampling.With"/>); null trains on whole images.</param>
    public static StreamingDataset Open(PatchSampling? sampling, CaseCache cache, IReadOnlyList<CaseSource> training, IReadOnlyList<CaseSource> validation,
        long seed, int loaderWorkers, int prefetchBatches)
    {
        if (training.Count == 0 || validation.Count == 0)
        {
            throw new ArgumentException("A data set needs at least one training and one validation case.");
        }
        var shapes = training.Select(item => cache.Describe(item.Key)).ToList();
        var spatial = shapes[0].Shape.Skip(1).ToArray();
        long[] sampleShape = sampling is null
            ? spatial
            : sampling.PatchFor([.. spatial.Select((_, axis) => shapes.Max(shape => shape.Shape[axis + 1]))]);
        var samples = new PatchData(cache, training, seed, sampling, sampleShape);
        return new StreamingDataset(new PrefetchingData(samples, loaderWorkers, prefetchBatches),
            new WholeVolumeData(cache, validation, sampling is null ? sampleShape : null), shapes[0].Spacing, sampleShape, sampling);
    }

    /// <summary>What the manifest records about the sampling.</summary>
    public Checkpoints.TrainingSampling Record(long seed) => Sampling is null
        ? new(null, null, null, seed)
        : new(SampleShape, Sampling.ForegroundRatio, Sampling.Augmentation, seed);

    public void Dispose() => Training.Dispose();
}
