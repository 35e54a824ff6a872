using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cl2.Models;
using Cl2.Models.Import;
using Cl2.Models.Numerics;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using Cl2.Testing;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench train [steps] [segresnet-edge]`: milliseconds per optimizer step of our <see cref="Trainer"/> against
/// python3-torch running the same recipe (train_step.py) in the same run, for the 2-D U-Net and the 3-D SegResNet.
/// Both sides start from the same weights (ours, exported as a PyTorch state dict), step on the same synthetic batch
/// with AdamW and Dice+CE, read the loss after every step, and use the same number of intra-op threads. The Trainer
/// runs its normal path (dispose scope per step, progress every step); its batch is an alias of the fixed tensors.
/// On a GPU machine set CL2_BENCH_DEVICE=cuda and CL2_BENCH_PYTHON to a Python whose PyTorch has CUDA, and put that
/// PyTorch's torch/lib on LD_LIBRARY_PATH so both sides run on one libtorch (docs/benchmarks.md).
/// </summary>
public static class TrainBenchmark
{
    private const int Warmup = 2;

    /// <summary>float32 (default) or bf16-autocast (CUDA only): both sides run the forward pass under autocast.</summary>
    private const string PrecisionVariable = "CL2_BENCH_PRECISION";

    private static readonly TrainingPrecision Precision = TrainingPrecisions.Parse(Environment.GetEnvironmentVariable(PrecisionVariable) ?? "float32");

    private sealed record Workload(string Name, string Shape, Func<nn.Module<Tensor, Tensor>> Create, long[] InputShape, int Classes);

    public static async Task<int> RunAsync(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var edge = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        var threads = Environment.ProcessorCount;
        var device = ComputeDevice.Select(Environment.GetEnvironmentVariable("CL2_BENCH_DEVICE") ?? "cpu", threads);
        Workload[] workloads =
        [
            // Must match train_step.py's NETWORKS.
            new("unet2d", "4×1×128×128", () => new UNet(new UNetOptions { SpatialDims = 2 }), [4, 1, 128, 128], 2),
            new("segresnet3d", $"1×4×{edge}³", () => new SegResNet(new SegResNetOptions { InChannels = 4, OutChannels = 3 }), [1, 4, edge, edge, edge], 3),
        ];
        var work = Directory.CreateTempSubdirectory("cl2-bench-train-").FullName;
        try
        {
            Console.WriteLine($"numerics: {device.Numerics.Summary}");
            Console.WriteLine($"train on {device.Description}, {Environment.OSVersion}, .NET {Environment.Version}; " +
                $"{Warmup} warm-up + {steps} timed steps per side, AdamW + Dice+CE, {Precision.Name()}, intra-op threads {threads} on both sides");
            Console.WriteLine($"{"network",-12} {"batch",-14} {"cl2 ms/step",12} {"PyTorch ms/step",16} {"ratio",7} {"max |Δloss|",12} {"3 decimals",11}");
            foreach (var workload in workloads)
            {
                await ReportAsync(workload, steps, threads, device, work);
            }
            LoaderBenchmark.Run(device, work);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task ReportAsync(Workload workload, int steps, int threads, ComputeDevice device, string work)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(20261127);
        var network = workload.Create();
        var input = randn(workload.InputShape);
        var target = randint(0, workload.Classes, [workload.InputShape[0], 1, .. workload.InputShape[2..]]);
        var weights = Path.Combine(work, $"{workload.Name}.weights.pt");
        var batch = Path.Combine(work, $"{workload.Name}.batch.pt");
        PyTorchStateDict.Save(network, weights);
        using (var stream = File.Create(batch))
        {
            PyTorchPickler.PickleStateDict(stream, new Dictionary<string, Tensor> { ["input"] = input, ["target"] = target });
        }

        var (theirLosses, theirMs) = await RunPyTorchAsync(workload.Name, weights, batch, steps, threads, device);
        var (ourLosses, ourMs) = RunTrainer(network, input, target, workload.Classes, steps, device);

        var difference = ourLosses.Zip(theirLosses, (a, b) => Math.Abs(a - b)).Max();
        var agree = ourLosses.Zip(theirLosses, (a, b) => Math.Round(a, 3) == Math.Round(b, 3)).All(x => x);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload.Name,-12} {workload.Shape,-14} {ourMs,12:F1} {theirMs,16:F1} {ourMs / theirMs,6:F3}x {difference,12:E1} {(agree ? "yes" : "no"),11}"));
        Console.WriteLine($"  loss cl2:     {string.Join(' ', ourLosses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"  loss PyTorch: {string.Join(' ', theirLosses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture)))}");
        if (!device.IsCuda)
        {
            CompareOneDnn(workload, input, target, steps, device, theirLosses);
        }
    }

    /// <summary>
    /// What oneDNN off costs on this CPU: our trainer from the same weights with oneDNN forced on, then off, whatever the
    /// process decided (restored after). Where the self-check turned it off, the "on" losses show why.
    /// </summary>
    private static void CompareOneDnn(Workload workload, Tensor input, Tensor target, int steps, ComputeDevice device, double[] theirLosses)
    {
        var results = new Dictionary<bool, (double[] Losses, double Ms)>();
        try
        {
            foreach (var enabled in new[] { true, false })
            {
                OneDnn.Enabled = enabled;
                random.manual_seed(20261127);
                try
                {
                    results[enabled] = RunTrainer(workload.Create(), input, target, workload.Classes, steps, device);
                }
                catch (NonFiniteTrainingException refused)
                {
                    Console.WriteLine($"  oneDNN {(enabled ? "on" : "off")}: the trainer refused to go on: {refused.Message}");
                    return;
                }
            }
        }
        finally
        {
            OneDnn.Enabled = device.Numerics.OneDnnEnabled;
        }
        string Agreement(double[] losses) =>
            losses.Zip(theirLosses, (a, b) => Math.Abs(a - b)).Max() is var worst && double.IsFinite(worst) ? worst.ToString("E1", CultureInfo.InvariantCulture) : "non-finite";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  oneDNN on {results[true].Ms:F1} ms/step (max |Δloss| vs PyTorch {Agreement(results[true].Losses)}), " +
            $"off {results[false].Ms:F1} ms/step ({Agreement(results[false].Losses)}): off costs {results[false].Ms / results[true].Ms:F2}x; " +
            $"this process decided oneDNN {(device.Numerics.OneDnnEnabled ? "on" : "off")}"));
    }

    private static (double[] Losses, double MsPerStep) RunTrainer(nn.Module<Tensor, Tensor> network, Tensor input, Tensor target, int classes,
        int steps, ComputeDevice device)
    {
        var options = new TrainerOptions { BatchSize = (int)input.shape[0], MaxSteps = Warmup + steps, ProgressEvery = 1, Precision = Precision };
        var data = new FixedBatch(input, target, Warmup + steps);
        var clock = new StepClock();
        using var trainer = new Trainer(network, new DiceCeLoss(), options, device);
        trainer.Train(data, data, new SegmentationMetrics(classes, hausdorff: false), clock);
        var timed = clock.Times[^1] - clock.Times[Warmup - 1];
        return ([.. clock.Losses], timed.TotalMilliseconds / steps);
    }

    private static async Task<(double[] Losses, double MsPerStep)> RunPyTorchAsync(string name, string weights, string batch, int steps,
        int threads, ComputeDevice device)
    {
        var root = Repository.Root;
        var python = Environment.GetEnvironmentVariable("CL2_BENCH_PYTHON") ?? "/usr/bin/python3";
        var result = (await ProcessRunner.RunAsync(python,
            ["-B", Path.Combine(root, "tests", "Cl2.Benchmarks", "train_step.py"), name, weights, batch,
             Warmup.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture),
             threads.ToString(CultureInfo.InvariantCulture), device.IsCuda ? "cuda" : "cpu"],
            TimeSpan.FromMinutes(30),
            new Dictionary<string, string>
            {
                ["PYTHONPATH"] = Path.Combine(root, "tests", "Cl2.Training.Tests", "Fixtures"),
                ["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture),
                [PrecisionVariable] = Precision.Name(),
            })).EnsureSuccess("python3-torch (install the apt package python3-torch)");
        using var json = JsonDocument.Parse(result.Output.Trim().Split('\n')[^1]);
        var losses = json.RootElement.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return (losses, json.RootElement.GetProperty("ms_per_step").GetDouble());
    }

    /// <summary>The same batch for every step, handed out as aliases so the Trainer's per-step scope can dispose them.</summary>
    private sealed class FixedBatch(Tensor input, Tensor target, int batches) : ITrainingData
    {
        public int Count { get; } = batches * (int)input.shape[0];

        public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices) => (input.alias(), target.alias());
    }

    /// <summary>When each step's loss arrived: the Trainer reports synchronously right after the step's loss is read.</summary>
    private sealed class StepClock : IProgress<TrainingProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public List<TimeSpan> Times { get; } = [];
        public List<double> Losses { get; } = [];

        public void Report(TrainingProgress value)
        {
            if (value.Kind == TrainingProgressKind.Step)
            {
                Times.Add(_clock.Elapsed);
                Losses.Add(value.Loss);
            }
        }
    }
}
