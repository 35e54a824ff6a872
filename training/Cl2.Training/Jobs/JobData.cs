using static TorchSharp.torch;

namespace Cl2.Training.Jobs;

/// <summary>What a job trains and validates on, as tensors (the caller disposes them), and what they came from.</summary>
/// <param name="Spacing">Voxel spacing in array order (slices, rows, columns; rows, columns for a radiograph), in mm.</param>
/// <param name="LabelRevisionIds">The label revisions read (training and validation cases): the version's lineage; none for a synthetic cohort.</param>
/// <param name="DataDigest">"sha256:…" naming the data: of the cohort's manifest, or of the sorted (case, part, label revision, mask blob) lines.</param>
/// <param name="Skipped">Dataset cases left out, and why.</param>
public sealed record JobData(
    Tensor TrainInputs,
    Tensor TrainTargets,
    Tensor ValidationInputs,
    Tensor ValidationTargets,
    IReadOnlyList<double> Spacing,
    IReadOnlyList<Guid> LabelRevisionIds,
    string DataDigest,
    IReadOnlyList<(Guid CaseId, string Reason)> Skipped) : IDisposable
{
    public int TrainingCount => (int)TrainInputs.shape[0];

    public int ValidationCount => (int)ValidationInputs.shape[0];

    public void Dispose()
    {
        TrainInputs.Dispose();
        TrainTargets.Dispose();
        ValidationInputs.Dispose();
        ValidationTargets.Dispose();
    }
}
