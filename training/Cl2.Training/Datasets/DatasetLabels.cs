using Cl2.Labeling.Client;

namespace Cl2.Training.Datasets;

/// <summary>A case of the job's training set and the label revision it is used with, or why it cannot be used.</summary>
/// <param name="FeedbackId">The radiologist's correction this case's label comes from; null for a case of the job's dataset.</param>
public sealed record LabelledCase(Guid CaseId, string StudyInstanceUid, DatasetPart Part, CaseRevision? Label, string? SkipReason, Guid? FeedbackId = null)
{
    public bool IsFeedback => FeedbackId is not null;
}

public sealed record CaseRevision(Guid Id, int Revision, string Kind, string BlobDigest);

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
/// validating; a fifth of the feedback cases held out for evaluation) and which cases cannot be used, and why.
/// </summary>
public static class DatasetLabels
{
    private const string TrainingSetQuery =
        "query TrainingSet($job: ID!) { trainingSet(job: $job) { datasetName dataCut cases { caseId studyInstanceUid source part " +
        "labelRevisionId revision kind blobDigest feedbackId skipReason } } }";

    public static async Task<(string Name, long DataCut, IReadOnlyList<LabelledCase> Cases)> ReadAsync(LabelingClient labeling, Guid jobId,
        CancellationToken cancellationToken)
    {
        var set = (await labeling.QueryAsync<Data>(TrainingSetQuery, new { job = jobId }, cancellationToken)).TrainingSet;
        var cases = set.Cases.Select(item => new LabelledCase(item.CaseId, item.StudyInstanceUid, Enum.Parse<DatasetPart>(item.Part, ignoreCase: true),
                item is { LabelRevisionId: { } id, Kind: { } kind, BlobDigest: { } digest } ? new CaseRevision(id, item.Revision ?? 0, kind, digest) : null,
                item.SkipReason, item.FeedbackId))
            .ToList();
        return (set.DatasetName, set.DataCut, cases);
    }

    private sealed record Data(TrainingSetData TrainingSet);

    private sealed record TrainingSetData(string DatasetName, long DataCut, IReadOnlyList<CaseData> Cases);

    private sealed record CaseData(Guid CaseId, string StudyInstanceUid, string Source, string Part, Guid? LabelRevisionId, int? Revision,
        string? Kind, string? BlobDigest, Guid? FeedbackId, string? SkipReason);
}
