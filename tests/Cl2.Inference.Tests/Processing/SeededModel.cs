using Cl2.Models.Checkpoints;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

internal static class SeededModel
{
    /// <summary>A synthetic study of <paramref name="task"/> under <paramref name="root"/> and a model folder for it (seeded fresh
    /// weights: what the tests compare is the service's run against a direct run of the same weights, not what the model learned).</summary>
    public static async Task<(string Study, string Model)> CaseAndModelAsync(string root, WorkloadTask task)
    {
        var cohortDirectory = Path.Combine(root, "cohort");
        var cohort = SyntheticCohort.Write(task, cohortDirectory, cases: 1, seed: 5, size: 32);
        var spacing = SyntheticTrainingSet.Spacing(cohortDirectory, cohort.Cases[0], task);
        var workload = WorkloadRegistry.For(task);
        var model = Path.Combine(root, "model");
        TorchSharp.torch.random.manual_seed(1);
        using (var network = workload.CreateNetwork())
        {
            await Checkpoint.WriteAsync(network, new CheckpointManifest(workload.Architecture, new InputSpec(workload.Channels, [.. spacing.Reverse()]),
                workload.Output, new TrainingLineage(null, null, "test"), ""), model, CancellationToken.None);
        }
        return (Path.Combine(cohortDirectory, cohort.Cases[0].Id), model);
    }
}
