using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// The sizes of one demo run. Why the last version beats the first on any machine is in the plan, not in luck: v1 trains
/// on a few labels that the simulated annotators drew <see cref="AnnotatorShiftVoxels"/> off the organ (one consistent
/// slip, as when a series is misregistered), so it learns to segment beside the liver; every correction a radiologist
/// makes is the phantom's exact ground truth, and each later version fine-tunes from production on those too.
/// </summary>
/// <param name="LabelledCases">The cases of the annotators' dataset (train, validation and the fixed test split).</param>
/// <param name="Rounds">Retraining rounds after v1: each sends new studies, corrects the worst results and makes one version.</param>
/// <param name="StudiesPerRound">New studies the PACS sends per round.</param>
/// <param name="CorrectionsPerRound">How many of a round's worst results the radiologists correct: the retraining policy's threshold.</param>
/// <param name="FirstEpochs">v1's epochs (requested by the ML engineer).</param>
/// <param name="RetrainEpochs">Epochs of each job the retraining policy requests (the worker's default).</param>
/// <param name="Network">The network v1 trains (the worker's <c>Training:Jobs:Network</c>); later versions fine-tune it.</param>
public sealed record DemoPlan(
    WorkloadTask Task,
    NetworkChoice Network,
    int Size,
    int LabelledCases,
    double TestFraction,
    double ValidationFraction,
    int AnnotatorShiftVoxels,
    int Rounds,
    int StudiesPerRound,
    int CorrectionsPerRound,
    int FirstEpochs,
    int RetrainEpochs,
    int Seed)
{
    /// <summary>The reduced run for CI: the liver workload's small network (a residual 3-D U-Net, quicker on a CPU than
    /// its SegResNet) at 16 voxels a side, two rounds of a few studies.</summary>
    public static DemoPlan Quick { get; } = new(WorkloadTask.LiverCt, NetworkChoice.Small, Size: 16, LabelledCases: 10, TestFraction: 0.3, ValidationFraction: 0.2,
        AnnotatorShiftVoxels: 3, Rounds: 2, StudiesPerRound: 4, CorrectionsPerRound: 3, FirstEpochs: 3, RetrainEpochs: 4, Seed: 11);

    /// <summary>The full run: the liver workload's SegResNet at 24 voxels a side, more labelled cases and more studies a round.</summary>
    public static DemoPlan Full { get; } = new(WorkloadTask.LiverCt, NetworkChoice.Reference, Size: 24, LabelledCases: 16, TestFraction: 0.25, ValidationFraction: 0.125,
        AnnotatorShiftVoxels: 4, Rounds: 2, StudiesPerRound: 8, CorrectionsPerRound: 5, FirstEpochs: 4, RetrainEpochs: 6, Seed: 11);

    public int CohortCases => LabelledCases + (Rounds * StudiesPerRound);
}
