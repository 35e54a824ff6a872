using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;

namespace Cl2.Models.Workloads;

/// <summary>The workloads by task name: training, <c>./cl2 infer</c>, <c>./cl2 model import</c> and inference look them up here.</summary>
public static class WorkloadRegistry
{
    public static IReadOnlyList<Workload> All { get; } = [new BrainMriWorkload(), new LiverCtWorkload(), new HipXrayWorkload()];

    public static Workload For(WorkloadTask task) => All.Single(workload => workload.Task == task);

    /// <exception cref="ArgumentException">No workload has that name; the message lists those that exist.</exception>
    public static Workload Get(string name) => For(WorkloadTasks.Parse(name));

    /// <summary>The one workload whose <see cref="Workload.Check"/> finds nothing wrong with <paramref name="manifest"/>.</summary>
    /// <exception cref="WorkloadException"><see cref="WorkloadErrorCodes.ManifestDoesNotFit"/>, with what each workload found.</exception>
    public static Workload ForManifest(CheckpointManifest manifest)
    {
        var problems = All.Select(workload => (Workload: workload, Problems: workload.Check(manifest))).ToList();
        var fitting = problems.Where(entry => entry.Problems.Count == 0).Select(entry => entry.Workload).ToList();
        return fitting.Count == 1
            ? fitting[0]
            : throw new WorkloadException(WorkloadErrorCodes.ManifestDoesNotFit, fitting.Count == 0
                ? $"the model fits no workload: {string.Join("; ", problems.Select(entry => $"{entry.Workload.Name}: {string.Join(", ", entry.Problems)}"))}"
                : $"the model fits {string.Join(" and ", fitting.Select(workload => workload.Name))}: name the workload to run");
    }
}
