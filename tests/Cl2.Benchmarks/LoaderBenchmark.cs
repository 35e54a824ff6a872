using System.Diagnostics;
using System.Globalization;
using Cl2.Models;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Training;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Benchmarks;

/// <summary>
/// The data loader's part of `./cl2 bench train`: the brain-mri workload's trainer on a synthetic cohort read through
/// the case cache, patches and augmentation made (a) by background loader threads (the worker's default), (b) on the
/// training thread when asked for, and (c) all made before the epoch and handed over from memory — the same batches, so
/// (a) against (c) is what loading costs the trainer. Milliseconds per step from the second step's report to the last
/// (validation and the epoch's planning left out), one epoch each from the same weights.
/// </summary>
public static class LoaderBenchmark
{
    public static void Run(ComputeDevice device, string work, int cases = 16, int size = 64)
    {
        var task = WorkloadTask.BrainMri;
        var workload = WorkloadRegistry.For(task);
        var cohort = Path.Combine(work, "loader-cohort");
        var manifest = SyntheticCohort.Write(task, cohort, cases, seed: 3, size);
        // On the cohort's own grid, as ./cl2 train trains a synthetic cohort.
        var sampling = PatchSampling.For(workload, spacingXyz: null, patchXyz: null, onCasesGrid: true)!;
        var training = SyntheticTrainingSet.Sources(cohort, [.. manifest.Cases.Take(cases - 1)], task, sampling.Spacing);
        var validation = SyntheticTrainingSet.Sources(cohort, [manifest.Cases[^1]], task, sampling.Spacing);
        using var cache = new CaseCache(Path.Combine(work, "loader-cache"), 0);
        foreach (var source in training.Concat(validation))
        {
            cache.Ensure(source.Key, source.Prepare);
        }
        Console.WriteLine($"loader: brain-mri, {training.Count} training cases of 4×{size}³ read from the disk cache (no RAM cache), " +
            $"patches {string.Join('×', sampling.PatchSize.Select(edge => Math.Min(edge, size)))} with augmentation, batch 2, one epoch");
        var background = Measure(workload, sampling, device, cache, training, validation, workers: 1, inMemory: false);
        var synchronous = Measure(workload, sampling, device, cache, training, validation, workers: 0, inMemory: false);
        var memory = Measure(workload, sampling, device, cache, training, validation, workers: 0, inMemory: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ms/step: background loader (1 worker, 2 ahead) {background:F1}, loading on the training thread {synchronous:F1}, " +
            $"same batches from memory {memory:F1}; background / memory {background / memory:F3}x"));
    }

    private static double Measure(Workload workload, PatchSampling sampling, ComputeDevice device, CaseCache cache, IReadOnlyList<CaseSource> training,
        IReadOnlyList<CaseSource> validation, int workers, bool inMemory)
    {
        using var data = StreamingDataset.Open(sampling, cache, training, validation, seed: 3, workers, prefetchBatches: 2);
        var recipe = workload.Training(1, 3, training.Count);
        random.manual_seed(3);
        using var network = workload.CreateNetwork();
        using var trainer = new Trainer(network, recipe.CreateLoss(), recipe.Options with { ValidationWindow = data.ValidationWindow }, device);
        var times = new List<long>();
        var progress = new StepClock(times);
        ITrainingData batches = inMemory ? new BatchesInMemory(new PatchData(cache, training, 3, sampling, data.SampleShape)) : data.Training;
        trainer.Train(batches, data.Validation, recipe.CreateMetrics(data.Spacing), progress);
        (batches as IDisposable)?.Dispose();
        return times.Count < 2 ? double.NaN : (times[^1] - times[0]) * 1000.0 / Stopwatch.Frequency / (times.Count - 1);
    }

    private sealed class StepClock(List<long> times) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Kind == TrainingProgressKind.Step)
            {
                times.Add(Stopwatch.GetTimestamp());
            }
        }
    }

    /// <summary>Makes every planned batch when the epoch is planned (before the first step), then hands them over.</summary>
    private sealed class BatchesInMemory(ISampledData source) : IEpochPlannedData, IDisposable
    {
        private readonly Dictionary<string, (Tensor Input, Tensor Target)> _made = [];

        public int Count => source.Count;

        public void PlanEpoch(int epoch, IReadOnlyList<int> order, int batchSize, int firstBatch)
        {
            Dispose();
            for (var start = firstBatch * batchSize; start < order.Count; start += batchSize)
            {
                var indices = order.Skip(start).Take(batchSize).ToArray();
                _made[string.Join(',', indices)] = source.Batch(indices, epoch);
            }
        }

        public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices)
        {
            var (input, target) = _made[string.Join(',', indices)];
            return (input.alias(), target.alias());
        }

        public void Dispose()
        {
            foreach (var (input, target) in _made.Values)
            {
                input.Dispose();
                target.Dispose();
            }
            _made.Clear();
        }
    }
}
