using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// One demo run: the workloads it runs the loop on, one after another on one platform, and what the one training worker
/// is set to for all of them (its network choice, the epochs of the jobs the retraining policy requests, its seed).
/// </summary>
/// <param name="Network">The network every v1 trains (the worker's <c>Training:Jobs:Network</c>); later versions fine-tune it.</param>
/// <param name="RetrainEpochs">Epochs of each job the retraining policy requests (the worker's default).</param>
public sealed record DemoPlan(NetworkChoice Network, int RetrainEpochs, int Seed, IReadOnlyList<WorkloadPlan> Workloads)
{
    /// <summary>The reduced run for CI: the liver workload only, its small network (a residual 3-D U-Net, quicker on a
    /// CPU than its SegResNet) at 16 voxels a side, two rounds of a few studies.</summary>
    public static DemoPlan Quick { get; } = new(NetworkChoice.Small, RetrainEpochs: 4, Seed: 11,
    [
        new(WorkloadTask.LiverCt, Size: 16, LabelledCases: 10, TestFraction: 0.3, ValidationFraction: 0.2, AnnotatorSlip: 3, Rounds: 2, StudiesPerRound: 4,
            CorrectionsPerRound: 3, FirstEpochs: 3),
    ]);

    /// <summary>The full run: all three workloads, each with its small network (residual 3-D U-Nets for liver CT and
    /// brain MRI, a three-block DenseNet for the hip radiographs), the volumes at 24 voxels a side and the radiographs at
    /// 64 pixels, so that it takes minutes on a 2-core CPU: the reference networks (SegResNet, DenseNet-121) do not learn
    /// in so few epochs on so few cases, so their versions could not show the loop making models better.</summary>
    public static DemoPlan Full { get; } = new(NetworkChoice.Small, RetrainEpochs: 6, Seed: 11,
    [
        new(WorkloadTask.LiverCt, Size: 24, LabelledCases: 16, TestFraction: 0.25, ValidationFraction: 0.125, AnnotatorSlip: 4, Rounds: 2, StudiesPerRound: 8,
            CorrectionsPerRound: 5, FirstEpochs: 4),
        new(WorkloadTask.BrainMri, Size: 24, LabelledCases: 16, TestFraction: 0.25, ValidationFraction: 0.125, AnnotatorSlip: 4, Rounds: 2, StudiesPerRound: 8,
            CorrectionsPerRound: 5, FirstEpochs: 4),
        // Two corrections a round: with a fifth, the worker would hold one out for the FEEDBACK set, whose AUC one
        // radiograph cannot define (the worker then fails the job; hip corrections need a larger held-out share first).
        new(WorkloadTask.HipXray, Size: 64, LabelledCases: 80, TestFraction: 0.25, ValidationFraction: 0.125, AnnotatorSlip: 0, Rounds: 2, StudiesPerRound: 8,
            CorrectionsPerRound: 2, FirstEpochs: 6),
    ]);
}

/// <summary>
/// The sizes of the loop on one workload. Why the last version beats the first is in the plan, not in luck: v1 trains on
/// labels with one consistent annotators' slip (<see cref="DemoWorkload"/> says which), every correction a radiologist
/// makes is the phantom's exact ground truth, and each later version fine-tunes from production on those too.
/// </summary>
/// <param name="Size">Voxels a side of a volume, pixels a side of a radiograph.</param>
/// <param name="LabelledCases">The cases of the annotators' dataset (train, validation and the fixed test split).</param>
/// <param name="AnnotatorSlip">For a segmentation, how many voxels the annotators' outlines lie off the organ or tumour.</param>
/// <param name="Rounds">Retraining rounds after v1: each sends new studies, corrects the worst results and makes one version.</param>
/// <param name="StudiesPerRound">New studies the PACS sends per round.</param>
/// <param name="CorrectionsPerRound">How many of a round's worst results the radiologists correct: the retraining policy's threshold.</param>
/// <param name="FirstEpochs">v1's epochs (requested by the ML engineer).</param>
public sealed record WorkloadPlan(
    WorkloadTask Task,
    int Size,
    int LabelledCases,
    double TestFraction,
    double ValidationFraction,
    int AnnotatorSlip,
    int Rounds,
    int StudiesPerRound,
    int CorrectionsPerRound,
    int FirstEpochs)
{
    public int CohortCases => LabelledCases + (Rounds * StudiesPerRound);
}
