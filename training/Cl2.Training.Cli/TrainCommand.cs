using System.Globalization;
using System.Security.Cryptography;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Datasets;
using Cl2.Models.Numerics;
using Cl2.Models.Synthetic;
using Cl2.Models.Training;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Training.Cli;

/// <summary>
/// <c>./cl2 train</c>: writes a synthetic cohort as DICOM (or reuses the one already in the output folder), reads it
/// back through the DICOM loader, trains the task's <see cref="Workload"/> as its <see cref="WorkloadTraining"/> says with the project's trainer, prints the
/// validation metrics, and saves the weights with their manifest.
/// </summary>
public sealed class TrainCommand : ITrainingCommand
{
    public string Name => "train";

    public string Usage => "train --task brain-mri|liver-ct|hip-xray [--synthetic N (24; hip 320)] [--epochs E (12)] [--seed S (1)] [--size VOXELS (32; hip 224)] [--spacing X,Y,Z (mm; the cohort's)] [--patch X,Y,Z (voxels; the workload's)] [--network reference|small (reference)] [--out DIR (.cl2/train/TASK)] [--learning-rate LR (the workload's)] [--precision float32|bf16|bf16-autocast (float32; bf16-autocast on CUDA only)] [--onednn auto|on|off (auto, or CL2_ONEDNN)] [--cache-memory MB (512)] [--loader-workers N (1)] [--prefetch BATCHES (2)]";

    public int Run(CommandArguments arguments, TextWriter output, TextWriter error)
    {
        arguments.RequireOnly("--task", "--synthetic", "--epochs", "--seed", "--size", "--spacing", "--patch", "--network", "--out", "--learning-rate", "--precision", "--onednn", "--cache-memory",
            "--loader-workers", "--prefetch");
        var task = arguments.Task();
        var hip = task == WorkloadTask.HipXray;
        var cases = arguments.Integer("--synthetic", hip ? 320 : 24, minimum: 2);
        var epochs = arguments.Integer("--epochs", 12);
        var seed = arguments.Integer("--seed", 1, minimum: 0);
        var size = arguments.Integer("--size", hip ? 224 : 32, minimum: hip ? 32 : 16);
        var directory = Path.GetFullPath(arguments.String("--out") ?? Path.Combine(".cl2", "train", task.Name()));
        var cohort = Path.Combine(directory, "cohort");

        var workload = WorkloadRegistry.For(task);
        var architecture = Network(arguments, workload);
        var sampling = Sampling(arguments, workload);
        var manifest = PrepareCohort(task, cohort, cases, seed, size, error);
        var validation = Math.Max(1, cases / 5);
        var trainingCases = manifest.Cases.Take(cases - validation).ToList();
        var validationCases = manifest.Cases.Skip(cases - validation).ToList();
        using var cache = new CaseCache(Path.Combine(directory, "cache"), (long)arguments.Integer("--cache-memory", 512, minimum: 0) * 1024 * 1024);
        var trainingSources = SyntheticTrainingSet.Sources(cohort, trainingCases, task, sampling?.Spacing);
        var validationSources = SyntheticTrainingSet.Sources(cohort, validationCases, task, sampling?.Spacing);
        error.WriteLine($"preparing {cases} cases ({trainingCases.Count} training, {validationCases.Count} validation) into {cache.Directory}");
        foreach (var source in trainingSources.Concat(validationSources))
        {
            cache.Ensure(source.Key, source.Prepare);
        }
        error.WriteLine($"{cache.Prepared} read back from DICOM, {cases - cache.Prepared} already in the cache");
        using var data = StreamingDataset.Open(sampling, cache, trainingSources, validationSources, seed,
            arguments.Integer("--loader-workers", 1, minimum: 0), arguments.Integer("--prefetch", 2));
        var spacing = data.Spacing;
        error.WriteLine($"training grid {string.Join(" × ", spacing.Reverse().Select(mm => mm.ToString("0.###", CultureInfo.InvariantCulture)))} mm (x, y[, z]), " +
            $"samples of {string.Join(" × ", data.SampleShape.Reverse())} voxels");

        var device = ComputeDevice.Select(oneDnn: OneDnnSetting(arguments));
        error.WriteLine($"numerics: {device.Numerics.Summary}; self-check {device.Numerics.CheckMilliseconds:F0} ms");
        var recipe = workload.Training(epochs, seed, trainingCases.Count)
            .With(batchSize: null, LearningRate(arguments), trainingCases.Count);
        var options = recipe.Options with { CheckpointDirectory = Path.Combine(directory, "checkpoints"), ValidationWindow = data.ValidationWindow, Precision = Precision(arguments) };
        random.manual_seed(seed);
        var network = architecture.Create();
        error.WriteLine($"training {architecture.Name} on {device.Description} for {epochs} epochs in {options.Precision.Name()}");
        var steps = (long)epochs * ((trainingCases.Count + options.BatchSize - 1) / options.BatchSize);
        TrainingResult result;
        using (var bar = new ProgressBar(error, $"train {task.Name()}", steps))
        using (var trainer = new Trainer(network, recipe.CreateLoss(), options, device))
        {
            var progress = new SynchronousProgress<TrainingProgress>(report =>
            {
                if (report.Kind == TrainingProgressKind.Step)
                {
                    bar.Update(report.Step, $"epoch {report.Epoch + 1}/{epochs} loss {report.Loss:F4}");
                }
                else if (report.Metrics.TryGetValue(recipe.KeyMetric, out var key))
                {
                    bar.Update(report.Step, $"epoch {report.Epoch + 1}/{epochs} loss {report.Loss:F4} {recipe.KeyMetric} {key:F3}");
                }
            });
            result = trainer.Train(data.Training, data.Validation, recipe.CreateMetrics(spacing), progress);
        }

        PrintMetrics(output, task, result);
        var written = WriteCheckpoint(network, architecture, workload, spacing, cohort, TrainingNumerics.Of(device, options.Precision), data.Record(seed), Path.Combine(directory, "model"));
        output.WriteLine($"checkpoint: {Path.Combine(directory, "model")} ({written.WeightsDigest}); content address {written.ContentAddress()}");
        return TrainingTool.Success;
    }

    private static double? LearningRate(CommandArguments arguments) =>
        arguments.String("--learning-rate") is not { } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate) && rate >= 0 ? rate
        : throw new UsageException($"--learning-rate must be a number ≥ 0, not '{text}'");

    /// <summary>The workload's network, or its small sibling (<see cref="Workload.SmallArchitecture"/>) for a quick CPU run.</summary>
    private static ArchitectureSpec Network(CommandArguments arguments, Workload workload) => arguments.String("--network") switch
    {
        null or "reference" => workload.ArchitectureOf(NetworkChoice.Reference),
        "small" => workload.ArchitectureOf(NetworkChoice.Small),
        var other => throw new UsageException($"--network is reference (the workload's {workload.Architecture.Name}) or small, not '{other}'"),
    };

    private static PatchSampling? Sampling(CommandArguments arguments, Workload workload)
    {
        var patch = arguments.Numbers("--patch");
        if (patch is not null && patch.Any(edge => edge != Math.Floor(edge)))
        {
            throw new UsageException($"--patch takes whole voxel counts x,y,z, not '{arguments.String("--patch")}'");
        }
        try
        {
            // A synthetic cohort keeps its own grid (--size chose it) unless --spacing names another.
            return PatchSampling.For(workload, arguments.Numbers("--spacing"), patch?.Select(edge => (long)edge).ToList(), onCasesGrid: true);
        }
        catch (ArgumentException invalid)
        {
            throw new UsageException($"--spacing / --patch: {invalid.Message}");
        }
    }

    private static TrainingPrecision Precision(CommandArguments arguments)
    {
        try
        {
            return arguments.String("--precision") is { } name ? TrainingPrecisions.Parse(name) : TrainingPrecision.Float32;
        }
        catch (ArgumentException invalid)
        {
            throw new UsageException(invalid.Message);
        }
    }

    private static OneDnnMode OneDnnSetting(CommandArguments arguments)
    {
        try
        {
            return arguments.String("--onednn") is { } value ? OneDnnModes.Parse(value) : OneDnnModes.FromEnvironment();
        }
        catch (ArgumentException invalid)
        {
            throw new UsageException(invalid.Message);
        }
    }

    private static CohortManifest PrepareCohort(WorkloadTask task, string cohort, int cases, int seed, int size, TextWriter error)
    {
        if (File.Exists(Path.Combine(cohort, CohortManifest.FileName)))
        {
            var existing = CohortManifest.Read(cohort);
            if (existing.Task == task.Name() && existing.Seed == seed && existing.Size == size && existing.Cases.Count == cases)
            {
                error.WriteLine($"reusing the cohort in {cohort}");
                return existing;
            }
            throw new InvalidOperationException(
                $"{cohort} holds a different cohort ({existing.Task}, {existing.Cases.Count} cases, seed {existing.Seed}, size {existing.Size}); choose another --out or delete it");
        }
        using var bar = new ProgressBar(error, $"synth {task.Name()}", cases);
        var manifest = SyntheticCohort.Write(task, cohort, cases, seed, size, new SynchronousProgress<int>(done => bar.Update(done, "cases")));
        bar.Complete(cases, "cases");
        return manifest;
    }

    private static void PrintMetrics(TextWriter output, WorkloadTask task, TrainingResult result)
    {
        output.WriteLine();
        output.WriteLine($"{task.Name()}: validation after epoch {result.State.Epoch} ({result.State.Step} steps)");
        output.WriteLine($"  {"metric",-16} {"value",10}");
        output.WriteLine($"  {new string('-', 16)} {new string('-', 10)}");
        foreach (var (name, value) in result.LastMetrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {name,-16} {value.ToString("F3", CultureInfo.InvariantCulture),10}");
        }
    }

    private static CheckpointManifest WriteCheckpoint(TorchSharp.torch.nn.Module<Tensor, Tensor> network, ArchitectureSpec architecture, Workload workload,
        IReadOnlyList<double> spacing, string cohort, TrainingNumerics numerics, TrainingSampling sampling, string directory)
    {
        // The manifest lists spacing as x, y[, z]; the data sets keep axes in array order (z, y, x).
        var input = new InputSpec(workload.Channels, [.. spacing.Reverse()]);
        var dataDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(cohort, CohortManifest.FileName))));
        var codeVersion = typeof(TrainCommand).Assembly.GetName().Version?.ToString() ?? "unknown";
        var manifest = new CheckpointManifest(architecture, input, workload.Output, new TrainingLineage(dataDigest, null, codeVersion, Numerics: numerics, Sampling: sampling), "");
        return Checkpoint.WriteAsync(network, manifest, directory, CancellationToken.None).GetAwaiter().GetResult();
    }
}
