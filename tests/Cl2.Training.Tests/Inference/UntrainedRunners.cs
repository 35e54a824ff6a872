using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Training.Tests.Inference;

/// <summary>Runners with fresh weights, for what does not depend on a model having learned: selection, refusals, shapes.</summary>
internal static class UntrainedRunners
{
    public static WorkloadRunner For(WorkloadTask task, IReadOnlyList<double> spacingXyz)
    {
        var workload = WorkloadRegistry.For(task);
        TorchSharp.torch.random.manual_seed(1);
        var manifest = new CheckpointManifest(workload.Architecture, new InputSpec(workload.Channels, spacingXyz), workload.Output,
            new TrainingLineage(null, null, "test"), "sha256:untrained");
        return new WorkloadRunner(workload, manifest, workload.CreateNetwork(), ComputeDevice.Select("cpu"));
    }

    /// <summary>One synthetic case written to <paramref name="root"/>; returns its folder and the spacing of its grid (x, y[, z]).</summary>
    public static (string CaseDirectory, IReadOnlyList<double> SpacingXyz) Case(WorkloadTask task, string root, int size)
    {
        var cohort = SyntheticCohort.Write(task, root, cases: 1, seed: 5, size: size);
        var spacing = SyntheticTrainingSet.Spacing(root, cohort.Cases[0], task);
        return (Path.Combine(root, cohort.Cases[0].Id), [.. spacing.Reverse()]);
    }
}
