using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;

namespace Cl2.Labeling.Feedback;

/// <summary>
/// A verdict on a study, recorded on the study's case in the model's feedback dataset: a correction makes the corrected
/// label revision the case's label, an acceptance makes the model's own output (the inference result) its label, marked
/// accepted so training can weight it, and a rejection without a correction puts the case first in the annotators' queue.
/// </summary>
public sealed record CaseFeedbackReceived(
    Guid CaseId,
    Guid DatasetId,
    Guid FeedbackId,
    FeedbackVerdict Verdict,
    Guid InferenceResultId,
    Guid? CorrectedLabelRevisionId,
    string Radiologist,
    DateTimeOffset GivenAt);

/// <summary>The last verdict on a case's study (on the case snapshot).</summary>
public sealed record CaseFeedback(Guid FeedbackId, FeedbackVerdict Verdict, Guid InferenceResultId, Guid? CorrectedLabelRevisionId, DateTimeOffset GivenAt);

/// <summary>Each model has one feedback dataset, created by its first feedback; its cases are the studies radiologists
/// gave feedback on.</summary>
public static class FeedbackCase
{
    public static Guid DatasetIdOf(Guid modelId) => NameBasedId.Of("cl2:feedback-dataset:", modelId);

    /// <summary>The model's feedback dataset as the first verdict or correction on one of its results creates it: named
    /// after the model (after its id when the model is gone).</summary>
    public static DatasetCreated DatasetCreatedFor(Guid modelId, string? modelName, string by, DateTimeOffset at)
    {
        var name = modelName ?? modelId.ToString();
        return new(DatasetIdOf(modelId), $"{name} feedback", $"Studies radiologists accepted, rejected or corrected results of model {name} on.", false, by, at);
    }

    /// <summary>The events that record <paramref name="given"/> in the model's feedback dataset: the dataset when it is
    /// new, the case when the study is new to it, and the verdict on the case.</summary>
    /// <param name="existing">The study's case in the feedback dataset, if it has one.</param>
    public static IReadOnlyList<(Guid StreamId, object Event)> Decide(FeedbackGiven given, string? modelName, bool datasetExists, Case? existing, Guid newCaseId)
    {
        var datasetId = DatasetIdOf(given.ModelId);
        var events = new List<(Guid StreamId, object Event)>();
        if (!datasetExists)
        {
            events.Add((datasetId, DatasetCreatedFor(given.ModelId, modelName, given.Radiologist, given.GivenAt)));
        }
        var caseId = existing?.Id ?? newCaseId;
        if (existing is null)
        {
            events.Add((caseId, new CaseAdded(caseId, datasetId, given.StudyInstanceUid, given.Radiologist, given.GivenAt)));
        }
        events.Add((caseId, new CaseFeedbackReceived(caseId, datasetId, given.FeedbackId, given.Verdict, given.InferenceResultId,
            given.CorrectedLabelRevisionId, given.Radiologist, given.GivenAt)));
        return events;
    }
}
