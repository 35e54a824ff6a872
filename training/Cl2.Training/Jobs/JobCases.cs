using Cl2.Labeling.Client;
using Cl2.Models.Datasets;

namespace Cl2.Training.Jobs;

/// <summary>What a job trains and validates on: its cases in the case cache, and what they came from.</summary>
/// <param name="LabelRevisionIds">The label revisions read (training and validation cases): the version's lineage; none for a synthetic cohort.</param>
/// <param name="DataDigest">"sha256:…" naming the data: of the cohort's manifest, or of the sorted (case, part, label revision, mask blob) lines.</param>
/// <param name="Skipped">Dataset cases left out, and why.</param>
/// <param name="FeedbackIds">The radiologists' corrections among the training and validation cases: the version's lineage.</param>
/// <param name="HeldOut">The cases a candidate is evaluated on; none for a synthetic cohort.</param>
/// <param name="TrainingWeights">Each training case's weight in the loss, in <see cref="Training"/>'s order; null when all weigh 1.</param>
/// <param name="AcceptedResults">The accepted results among the training cases, with their weight: the version's lineage.</param>
public sealed record JobCases(
    IReadOnlyList<CaseSource> Training,
    IReadOnlyList<CaseSource> Validation,
    IReadOnlyList<Guid> LabelRevisionIds,
    string DataDigest,
    IReadOnlyList<(Guid CaseId, string Reason)> Skipped,
    IReadOnlyList<Guid> FeedbackIds,
    HeldOutCases HeldOut,
    IReadOnlyList<double>? TrainingWeights = null,
    IReadOnlyList<AcceptedResultLabelInput>? AcceptedResults = null);

/// <summary>The held-out cases of a job: the dataset's fixed test split, and the held-out corrected feedback cases (the
/// corrections as ground truth) with the feedback they come from.</summary>
public sealed record HeldOutCases(IReadOnlyList<CaseSource> Test, IReadOnlyList<CaseSource> Feedback, IReadOnlyList<Guid> FeedbackIds)
{
    public static readonly HeldOutCases None = new([], [], []);
}
