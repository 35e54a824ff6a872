using System.Security.Cryptography;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Synthetic;
using Cl2.Models.Training;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.EndToEnd.Serving;

/// <summary>
/// A model of one workload trained by the project's trainer as <c>./cl2 train</c> trains it (the workload's recipe, the
/// cohort read back from its DICOM), at a size small enough for the test suite, with the workload's small network. The validation cases are the last of the
/// cohort; the studies the tests send are those cases, so the version's recorded validation metrics and what the served
/// model delivers are measured on the same images: any difference comes from how the model is served.
/// </summary>
/// <param name="Folder">The model folder (<c>weights.bin</c> + <c>manifest.json</c>).</param>
/// <param name="Metrics">The validation metrics after the last epoch that have a finite value, as a version records them.</param>
internal sealed record SmallModel(WorkloadTask Task, string Folder, IReadOnlyDictionary<string, double> Metrics, string CohortFolder,
    IReadOnlyList<CohortCase> ValidationCases)
{
    public static SmallModel Train(WorkloadTask task, string root, int cases, int validation, int size, int epochs, int seed = 1)
    {
        var cohort = Path.Combine(root, task.Name(), "cohort");
        var manifest = SyntheticCohort.Write(task, cohort, cases, seed, size);
        var trainingCases = manifest.Cases.Take(cases - validation).ToList();
        var validationCases = manifest.Cases.Skip(cases - validation).ToList();
        using var scope = NewDisposeScope();
        var (trainInputs, trainTargets) = SyntheticTrainingSet.Load(cohort, trainingCases, task);
        var (validInputs, validTargets) = SyntheticTrainingSet.Load(cohort, validationCases, task);
        var spacing = SyntheticTrainingSet.Spacing(cohort, manifest.Cases[0], task);
        var workload = WorkloadRegistry.For(task);
        var recipe = workload.Training(epochs, seed, trainingCases.Count);
        var device = ComputeDevice.Select("cpu");
        // The workload's small network, not its SegResNet / DenseNet-121: those need many minutes of CPU to train, and
        // these tests are about serving a trained model. The manifest names the network, so inference builds this one.
        var architecture = workload.SmallArchitecture;
        random.manual_seed(seed);
        using var network = architecture.Create();
        TrainingResult result;
        using (var trainer = new Trainer(network, recipe.CreateLoss(), recipe.Options, device))
        {
            result = trainer.Train(new InMemoryData(trainInputs, trainTargets), new InMemoryData(validInputs, validTargets), recipe.CreateMetrics(spacing));
        }
        // As ./cl2 train writes it: spacing x, y[, z] in the manifest (the data sets keep array order), the cohort's digest as the data's.
        var folder = Path.Combine(root, task.Name(), "model");
        var dataDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(cohort, CohortManifest.FileName))));
        Checkpoint.WriteAsync(network, new CheckpointManifest(architecture, new InputSpec(workload.Channels, [.. spacing.Reverse()]), workload.Output,
            new TrainingLineage(dataDigest, null, "e2e", Numerics: TrainingNumerics.Of(device)), ""), folder, CancellationToken.None).GetAwaiter().GetResult();
        // As the training worker registers them: a metric with no finite value (a distance to an empty segment) is left out.
        var metrics = result.LastMetrics.Where(metric => double.IsFinite(metric.Value)).ToDictionary();
        return new SmallModel(task, folder, metrics, cohort, validationCases);
    }

    /// <summary>A model folder for <paramref name="task"/> with the workload's small network as seeded, untrained weights, at the
    /// spacing of <paramref name="cohortFolder"/>'s cases: a real checkpoint that runs and gives result objects, for tests
    /// that are about which version ran, not about what it learned.</summary>
    public static string Untrained(WorkloadTask task, string cohortFolder, string folder, int seed)
    {
        var spacing = SyntheticTrainingSet.Spacing(cohortFolder, CohortManifest.Read(cohortFolder).Cases[0], task);
        var workload = WorkloadRegistry.For(task);
        random.manual_seed(seed);
        using var network = workload.SmallArchitecture.Create();
        Checkpoint.WriteAsync(network, new CheckpointManifest(workload.SmallArchitecture, new InputSpec(workload.Channels, [.. spacing.Reverse()]), workload.Output,
            new TrainingLineage(null, null, "e2e"), ""), folder, CancellationToken.None).GetAwaiter().GetResult();
        return folder;
    }

    /// <summary>Every DICOM file of a validation case's study.</summary>
    public IReadOnlyList<string> StudyFiles(CohortCase item) => StudyFiles(CohortFolder, item);

    /// <summary>Every DICOM file of a cohort case's study.</summary>
    public static IReadOnlyList<string> StudyFiles(string cohortFolder, CohortCase item) =>
        [.. item.Series.Values.SelectMany(series => Directory.GetFiles(Path.Combine(cohortFolder, series), "*.dcm")).Order(StringComparer.Ordinal)];

    /// <summary>The DICOM files of the case's series <paramref name="role"/> (CT, T1, DX …).</summary>
    public IReadOnlyList<string> SeriesFiles(CohortCase item, string role) =>
        [.. Directory.GetFiles(Path.Combine(CohortFolder, item.Series[role]), "*.dcm").Order(StringComparer.Ordinal)];

    /// <summary>The case's ground truth as class indices of the workload, per voxel in (slice, row, column) order.</summary>
    public byte[] GroundTruthClasses(CohortCase item)
    {
        var workload = WorkloadRegistry.For(Task);
        var (_, labels) = LabelVolume.Read(Path.Combine(CohortFolder, item.Labels ?? throw new InvalidOperationException($"{item.Id} has no labels")));
        return [.. labels.Select(label => (byte)workload.ClassOf(label))];
    }
}
