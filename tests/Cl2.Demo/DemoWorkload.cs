using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// What differs between the workloads in the loop the demo runs: which studies a routing rule sends to the model, how the
/// simulated annotators label a case (with their one consistent slip) and a radiologist corrects it (exactly), and how a
/// radiologist scores a result that came back to the PACS. <see cref="ClosedLoopDemo"/> is the same for all of them.
/// </summary>
public abstract class DemoWorkload(WorkloadTask task)
{
    public WorkloadTask Task { get; } = task;

    public string Name => Task.Name();

    /// <summary>The modality the model's routing rule matches.</summary>
    public abstract string Modality { get; }

    /// <summary>What a radiologist corrects, in words, for the correction's comment (e.g. "liver outline").</summary>
    public abstract string Subject { get; }

    /// <summary>What <see cref="Judge"/> gives, in words (e.g. "Dice").</summary>
    public abstract string Score { get; }

    /// <summary>The annotators' slip, in words, for the progress line.</summary>
    public abstract string Slip(WorkloadPlan plan);

    /// <summary>v1's recipe grid (x, y, z in mm): the cohort's own, so small cases stay small; null where the workload
    /// trains on whole images.</summary>
    public abstract IReadOnlyList<double>? TrainingGrid(string cohortFolder, CohortCase item);

    /// <summary>Uploads the case's label as a person draws it (<paramref name="exact"/>: the phantom's ground truth,
    /// otherwise with the annotators' slip) and returns (its blob digest, its label kind).</summary>
    public abstract Task<(string Digest, string Kind)> UploadLabelAsync(Person person, WorkloadPlan plan, CohortCase item, string cohortFolder, bool exact,
        string folder, CancellationToken cancellationToken);

    /// <summary>How good the result objects the PACS holds for the case are against the phantom, 0 (worst) to 1.</summary>
    public abstract double Judge(IReadOnlyList<DeliveredInstance> results, CohortCase item, string cohortFolder);

    public static DemoWorkload For(WorkloadTask task) => task switch
    {
        WorkloadTask.LiverCt => new SegmentationDemoWorkload(task, "CT", "CT", "liver outline", "off the liver"),
        WorkloadTask.BrainMri => new SegmentationDemoWorkload(task, "MR", BrainMriPhantom.SequenceNames[0], "tumour outline", "off the tumour"),
        WorkloadTask.HipXray => new ClassificationDemoWorkload(task),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "no demo for this workload"),
    };
}
