using Cl2.Dicom;
using Cl2.Models;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// Model runs on several threads at once, as the model workers run them (<c>Inference:Models:Concurrency</c> above 1, one
/// runner per version): liver and brain studies preprocessed and run side by side while the garbage collector runs and
/// finalizes. Each run must give what the same runner gives alone: no run may fail, none may see another's values.
/// </summary>
public sealed class ConcurrentModelRunsTests : IDisposable
{
    /// <summary>A hang guard, not a speed check: with collections running without pause beside twelve threads, the
    /// normalisation test took 2 min 13 s in one loaded full run and passed the old 3-minute guard in another.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    private const int RunsPerThread = 4;

    private readonly string _root = Directory.CreateTempSubdirectory("cl2-concurrent-runs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task liver_and_brain_runs_on_four_threads_at_once_each_give_the_masks_of_a_lone_run()
    {
        var liver = await StudyAndRunnersAsync(WorkloadTask.LiverCt, runners: 2);
        var brain = await StudyAndRunnersAsync(WorkloadTask.BrainMri, runners: 2);
        var expected = new Dictionary<WorkloadTask, byte[]>
        {
            [WorkloadTask.LiverCt] = liver.Runners[0].Run(liver.Study).Segmentation!.Classes,
            [WorkloadTask.BrainMri] = brain.Runners[0].Run(brain.Study).Segmentation!.Classes,
        };
        try
        {
            var runs = () => new[] { (WorkloadTask.LiverCt, liver), (WorkloadTask.BrainMri, brain) }
                .SelectMany(pair => pair.Item2.Runners.Select(runner => (Task: pair.Item1, pair.Item2.Study, Runner: runner)))
                .Select(run => Task.Factory.StartNew(() =>
                {
                    var mismatches = 0;
                    for (var i = 0; i < RunsPerThread; i++)
                    {
                        if (!run.Runner.Run(run.Study).Segmentation!.Classes.AsSpan().SequenceEqual(expected[run.Task]))
                        {
                            mismatches++;
                        }
                    }
                    return mismatches;
                }, TaskCreationOptions.LongRunning))
                .ToList();
            var mismatched = await GarbageCollection.WhileCollectingAsync(() => Task.WhenAll(runs()).WaitAsync(HangGuard));
            Assert.All(mismatched, count => Assert.Equal(0, count));
        }
        finally
        {
            foreach (var runner in liver.Runners.Concat(brain.Runners))
            {
                runner.Dispose();
            }
        }
    }

    /// <summary>The workloads' normalisations, each many times on small images (so most of the time is spent passing
    /// scalars to libtorch), on more threads than cores while collections run.</summary>
    [Fact]
    public async Task the_workloads_normalisations_on_twelve_threads_at_once_give_the_values_of_a_lone_run()
    {
        const int Calls = 20000;
        const int Threads = 12;
        var workloads = WorkloadRegistry.All.ToList();
        var image = TorchSharp.torch.linspace(-1200, 1800, 2 * 2 * 2 * 2).reshape(2, 2, 2, 2);
        var expected = workloads.ToDictionary(workload => workload.Name, workload => Values(workload.Normalise(image)));
        var threads = () => Enumerable.Range(0, Threads).Select(thread => Task.Factory.StartNew(() =>
        {
            var differing = new List<string>();
            for (var i = 0; i < Calls; i++)
            {
                var workload = workloads[(thread + i) % workloads.Count];
                using var scope = TorchSharp.torch.NewDisposeScope();
                if (!Values(workload.Normalise(image)).AsSpan().SequenceEqual(expected[workload.Name]))
                {
                    differing.Add($"{workload.Name} call {i} on thread {thread}");
                }
            }
            return differing;
        }, TaskCreationOptions.LongRunning)).ToList();
        var differed = (await GarbageCollection.WhileCollectingAsync(() => Task.WhenAll(threads()).WaitAsync(HangGuard))).SelectMany(names => names).ToList();
        Assert.True(differed.Count == 0, $"{differed.Count} normalisations differed from a lone run, first {string.Join(", ", differed.Take(5))}");
    }

    /// <summary>Sliding-window inference of small volumes (27 windows, each added into the blended sums), many times on more
    /// threads than cores while collections run: TorchSharp's add_(x) passes libtorch an implicit alpha Scalar that a
    /// collection may free during the call, so a window could be added with another weight, or the native heap corrupted.</summary>
    [Fact]
    public async Task sliding_window_blending_on_twelve_threads_at_once_gives_the_values_of_a_lone_run()
    {
        const int Calls = 1500;
        const int Threads = 12;
        var inference = new SlidingWindowInference([4, 4, 4], overlap: 0.5);
        var volume = TorchSharp.torch.linspace(0, 1, 8 * 8 * 8).reshape(1, 1, 8, 8, 8);
        var expected = Values(inference.Run(volume, window => window));
        var threads = () => Enumerable.Range(0, Threads).Select(thread => Task.Factory.StartNew(() =>
        {
            var differing = new List<string>();
            for (var i = 0; i < Calls; i++)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                if (!Values(inference.Run(volume, window => window)).AsSpan().SequenceEqual(expected))
                {
                    differing.Add($"call {i} on thread {thread}");
                }
            }
            return differing;
        }, TaskCreationOptions.LongRunning)).ToList();
        var differed = (await GarbageCollection.WhileCollectingAsync(() => Task.WhenAll(threads()).WaitAsync(HangGuard))).SelectMany(names => names).ToList();
        Assert.True(differed.Count == 0, $"{differed.Count} blended volumes differed from a lone run, first {string.Join(", ", differed.Take(5))}");
    }

    private static float[] Values(TorchSharp.torch.Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    private async Task<(IReadOnlyList<DicomFile> Study, List<WorkloadRunner> Runners)> StudyAndRunnersAsync(WorkloadTask task, int runners)
    {
        var (study, model) = await SeededModel.CaseAndModelAsync(Path.Combine(_root, task.ToString()), task);
        var files = WorkloadRunner.ReadStudy(study);
        var loaded = new List<WorkloadRunner>();
        for (var i = 0; i < runners; i++)
        {
            loaded.Add(await WorkloadRunner.LoadAsync(WorkloadRegistry.For(task), model, ComputeDevice.Select("cpu"), CancellationToken.None));
        }
        return (files, loaded);
    }
}
