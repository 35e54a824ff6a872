using Cl2.Labeling.Client;

namespace Cl2.Training.Datasets;

/// <summary>A case of the job's training set and the label it is used with, or why it cannot be used.</summary>
/// <param name="FeedbackId">The radiologist's correction or acceptance this case's label comes from; null for a case of the job's dataset.</param>
/// <param name="Weight">The weight of the case's samples in the loss: 1, or for an accepted result <see cref="FeedbackTrainingOptions.AcceptedLabelWeight"/>.</param>
public sealed record LabelledCase(Guid CaseId, string StudyInstanceUid, DatasetPart Part, CaseRevision? Label, string? SkipReason, Guid? FeedbackId = null,
    double Weight = 1)
{
    public bool IsFeedback => FeedbackId is not null;

    /// <summary>True when the label is a radiologist's accepted model output rather than a label revision.</summary>
    public bool IsAccepted => Label?.AcceptedResultUids is not null;
}

/// <summary>The label a case is used with: a label revision (its id, number, kind and mask or label blob), or for a study
/// whose result a radiologist accepted, that inference result (<see cref="Id"/>) and its objects
/// (<see cref="AcceptedResultUids"/>, read from the archive); <see cref="BlobDigest"/> then names those objects, for the case cache's key.</summary>
public sealed record CaseRevision(Guid Id, int Revision, string Kind, string BlobDigest, IReadOnlyList<string>? AcceptedResultUids = null);

public enum DatasetPart
{
    Train,
    Validation,
    /// <summary>Held out: a candidate is evaluated on it, never trained on it.</summary>
    Test,
}

/// <summary>
/// Reads a job's training set from labeling (<c>trainingSet(job:)</c>): its dataset's cases and its model's corrected
/// feedback cases as they were at the job's data cut, each with its part and label revision, so a job reads the same set
/// whichever worker runs it and whenever. Labeling decides the parts (the dataset's fixed split, or every fifth case by id
/// validating; a fifth of the feedback cases held out for evaluation) and which cases cannot be used, and why. An
/// accepted result is used with <see cref="FeedbackTrainingOptions.AcceptedLabelWeight"/>; at 0 it is skipped, saying so.
/// </summary>
public static class DatasetLabels
{
    private const string TrainingSetQuery =
        "query TrainingSet($job: ID!) { trainingSet(job: $job) { datasetName dataCut cases { caseId studyInstanceUid source part " +
        "labelRevisionId revision kind blobDigest feedbackId skipReason acceptedInferenceResultId acceptedResultUids } } }";

    /// <summary>Why an accepted result is not trained on when its weight is 0.</summary>
    public const string AcceptedWeightZeroReason =
        "the radiologist accepted the model's own output, and Training:Feedback:AcceptedLabelWeight is 0 (not trained on); set it above 0 to train on accepted results";

    /// <returns>The cases, an accepted result's at weight 1 until <see cref="WithAcceptedWeight"/> weighs it.</returns>
    public static async Task<(string Name, long DataCut, IReadOnlyList<LabelledCase> Cases)> ReadAsync(LabelingClient labeling, Guid jobId,
        CancellationToken cancellationToken)
    {
        var set = (await labeling.QueryAsync<Data>(TrainingSetQuery, new { job = jobId }, cancellationToken)).TrainingSet;
        var cases = set.Cases.Select(Of).ToList();
        return (set.DatasetName, set.DataCut, cases);
    }

    /// <summary>The accepted results weighted by <paramref name="acceptedLabelWeight"/>; at 0 they are skipped, saying why.</summary>
    public static IReadOnlyList<LabelledCase> WithAcceptedWeight(IReadOnlyList<LabelledCase> cases, double acceptedLabelWeight) =>
        [.. cases.Select(item => !item.IsAccepted ? item
            : acceptedLabelWeight > 0 ? item with { Weight = acceptedLabelWeight }
            : item with { Label = null, SkipReason = AcceptedWeightZeroReason, FeedbackId = null })];

    private static LabelledCase Of(CaseData item)
    {
        var part = Enum.Parse<DatasetPart>(item.Part, ignoreCase: true);
        if (item is { AcceptedInferenceResultId: { } resultId, AcceptedResultUids: { Count: > 0 } uids, SkipReason: null })
        {
            return new LabelledCase(item.CaseId, item.StudyInstanceUid, part,
                new CaseRevision(resultId, 0, "ACCEPTED", "accepted " + string.Join(' ', uids), uids), null, item.FeedbackId);
        }
        var label = item is { LabelRevisionId: { } id, Kind: { } kind, BlobDigest: { } digest } ? new CaseRevision(id, item.Revision ?? 0, kind, digest) : null;
        return new LabelledCase(item.CaseId, item.StudyInstanceUid, part, label, item.SkipReason, item.FeedbackId);
    }

    private sealed record Data(TrainingSetData TrainingSet);

    private sealed record TrainingSetData(string DatasetName, long DataCut, IReadOnlyList<CaseData> Cases);

    private sealed record CaseData(Guid CaseId, string StudyInstanceUid, string Source, string Part, Guid? LabelRevisionId, int? Revision,
        string? Kind, string? BlobDigest, Guid? FeedbackId, string? SkipReason, Guid? AcceptedInferenceResultId, IReadOnlyList<string>? AcceptedResultUids);
}
