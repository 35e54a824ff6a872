namespace Cl2.Models.Workloads;

/// <summary>The workloads by task name: training, <c>./cl2 infer</c>, <c>./cl2 model import</c> and inference look them up here.</summary>
public static class WorkloadRegistry
{
    public static IReadOnlyList<Workload> All { get; } = [new BrainMriWorkload(), new LiverCtWorkload(), new HipXrayWorkload()];

    public static Workload For(WorkloadTask task) => All.Single(workload => workload.Task == task);

    /// <exception cref="ArgumentException">No workload has that name; the message lists those that exist.</exception>
    public static Workload Get(string name) => For(WorkloadTasks.Parse(name));
}
