using Cl2.Labeling.Cases;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Inference;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Training;

public enum TrainingSetPart
{
    Train,
    Validation,
    /// <summary>Held out: never trained on, the cases a candidate is evaluated on.</summary>
    Test,
}

public enum TrainingSetSource
{
    /// <summary>A case of the job's dataset.</summary>
    Dataset,
    /// <summary>A case of the model's feedback dataset: a study a radiologist corrected or accepted.</summary>
    Feedback,
}

/// <summary>A case as it stood at the job's data cut, and the label revision it is trained or evaluated on (or why not).</summary>
/// <param name="AcceptedInferenceResultId">For a study whose result a radiologist accepted: the result, whose objects
/// (<paramref name="AcceptedResultUids"/>) are its label; the worker decides the weight it trains with.</param>
public sealed record TrainingSetCase(
    Guid CaseId,
    Guid DatasetId,
    string StudyInstanceUid,
    TrainingSetSource Source,
    TrainingSetPart Part,
    Guid? LabelRevisionId,
    int? Revision,
    LabelKind? Kind,
    string? BlobDigest,
    Guid? FeedbackId,
    string? SkipReason,
    Guid? AcceptedInferenceResultId = null,
    IReadOnlyList<string>? AcceptedResultUids = null);

public sealed record TrainingSet(Guid JobId, Guid ModelId, Guid DatasetId, string DatasetName, long DataCut, IReadOnlyList<TrainingSetCase> Cases);

/// <summary>
/// A training job's data as it was at its data cut, so the same job reads the same set whenever it runs: the cases of
/// its dataset and of its model's feedback dataset that existed at the cut, each with the label it had then (case
/// events after the cut are not replayed). The dataset's fixed split says each case's part (without one, every fifth
/// case by id validates and none is held out). A corrected feedback case trains on its correction, except every
/// <see cref="FeedbackHoldOutEvery"/>th, held out: those are the FEEDBACK evaluation set. An accepted result is listed
/// with its inference result (the model's own output is its label), for the worker to train on with its configured
/// weight; a held-out accepted case is not evaluated on, its label being the model's own output.
/// </summary>
public static class TrainingSetReading
{
    /// <summary>Every fifth feedback case, in the order radiologists first gave feedback on its study, is held out: a
    /// case keeps its place as feedback grows, so it never moves from evaluation into training or back.</summary>
    public const int FeedbackHoldOutEvery = 5;

    /// <summary>Replays case events up to the cut: what each case looked like then (null: not added yet, or removed).</summary>
    public static Case? At(IEnumerable<object> events)
    {
        Case? current = null;
        foreach (var data in events)
        {
            current = (data, current) switch
            {
                (CaseAdded added, _) => Case.Create(added),
                (CaseRemoved, _) => null,
                (LabelSubmitted submitted, { } @case) => Case.Apply(submitted, @case),
                (LabelReviewed reviewed, { } @case) => Case.Apply(reviewed, @case),
                (CaseFeedbackReceived received, { } @case) => Case.Apply(received, @case),
                _ => current,
            };
        }
        return current;
    }

    /// <summary>The parts and labels of the cases as they were at the cut.</summary>
    public static IReadOnlyList<TrainingSetCase> Select(Dataset dataset, IReadOnlyList<Case> datasetCases, IReadOnlyList<Case> feedbackCases,
        IReadOnlyDictionary<Guid, LabelRevision> revisions, IReadOnlyDictionary<Guid, InferenceResult> acceptedResults)
    {
        var split = dataset.Split;
        var parts = split is null
            ? datasetCases.Select(@case => @case.Id).Order().Select((id, index) => (id, index % 5 == 4 ? TrainingSetPart.Validation : TrainingSetPart.Train))
                .ToDictionary(entry => entry.id, entry => entry.Item2)
            : split.TrainCaseIds.Select(id => (id, TrainingSetPart.Train))
                .Concat(split.ValidationCaseIds.Select(id => (id, TrainingSetPart.Validation)))
                .Concat(split.TestCaseIds.Select(id => (id, TrainingSetPart.Test)))
                .ToDictionary(entry => entry.id, entry => entry.Item2);
        var selected = new List<TrainingSetCase>();
        // In study order, not by case id: the worker shuffles training cases by their place in this list, and case ids
        // are new in every dataset, so the same studies and seed would otherwise train in a different order each time.
        foreach (var @case in datasetCases.OrderBy(@case => @case.StudyInstanceUid, StringComparer.Ordinal).ThenBy(@case => @case.Id))
        {
            if (!parts.TryGetValue(@case.Id, out var part))
            {
                continue; // Added after the split was fixed: in no part.
            }
            var reason = @case.LabelStatus switch
            {
                LabelStatus.Unlabelled => "it had no label at the data cut",
                LabelStatus.Rejected => $"its label (revision {@case.CurrentRevision}) was rejected in review; submit a corrected revision",
                _ => null,
            };
            selected.Add(Of(@case, TrainingSetSource.Dataset, part, reason, revisions, feedbackId: null));
        }
        foreach (var (@case, index) in feedbackCases.OrderBy(@case => @case.AddedAt).ThenBy(@case => @case.Id).Select((@case, index) => (@case, index)))
        {
            var part = index % FeedbackHoldOutEvery == FeedbackHoldOutEvery - 1 ? TrainingSetPart.Test : TrainingSetPart.Train;
            if (@case.Feedback is { Verdict: FeedbackVerdict.Accept } accepted)
            {
                selected.Add(Accepted(@case, accepted, part, acceptedResults.GetValueOrDefault(accepted.InferenceResultId)));
                continue;
            }
            var reason = @case.Feedback?.Verdict == FeedbackVerdict.Correct ? null
                : "the radiologist rejected the result without a correction; it waits for an annotator's label";
            selected.Add(Of(@case, TrainingSetSource.Feedback, part, reason, revisions, @case.Feedback?.FeedbackId));
        }
        return selected;
    }

    /// <summary>An accepted result's case: trained on with the model's own output as its label, never evaluated on.</summary>
    private static TrainingSetCase Accepted(Case @case, CaseFeedback accepted, TrainingSetPart part, InferenceResult? result)
    {
        var reason = part == TrainingSetPart.Test
            ? "held out for the feedback evaluation, but its label is the model's own output (accepted), which a candidate is not judged against"
            : result is null || result.ResultUids.Count == 0 ? $"the accepted inference result {accepted.InferenceResultId} names no result object to read its label from"
            : null;
        return new TrainingSetCase(@case.Id, @case.DatasetId, @case.StudyInstanceUid, TrainingSetSource.Feedback, part, null, null, null, null,
            reason is null ? accepted.FeedbackId : null, reason, accepted.InferenceResultId, reason is null ? result!.ResultUids : null);
    }

    private static TrainingSetCase Of(Case @case, TrainingSetSource source, TrainingSetPart part, string? reason,
        IReadOnlyDictionary<Guid, LabelRevision> revisions, Guid? feedbackId)
    {
        var revision = reason is null && @case.CurrentRevisionId is { } id ? revisions.GetValueOrDefault(id) : null;
        reason ??= revision is null ? "its label revision is not known to labeling" : null;
        return new TrainingSetCase(@case.Id, @case.DatasetId, @case.StudyInstanceUid, source, part, revision?.Id, revision?.Revision,
            revision?.Kind, revision?.BlobDigest, reason is null ? feedbackId : null, reason);
    }

    public static async Task<TrainingSet> ReadAsync(IQuerySession session, Guid jobId, CancellationToken cancellationToken)
    {
        var job = await session.LoadAsync<TrainingJob>(jobId, cancellationToken)
            ?? throw DomainException.NotFound(ErrorCodes.TrainingJobNotFound, "Training job", jobId);
        if (job.DatasetId is not { } datasetId || await session.LoadAsync<Dataset>(datasetId, cancellationToken) is not { } dataset)
        {
            throw DomainException.Invalid($"Training job {jobId} names no dataset (it trains on its task's synthetic cohort): it has no training set to read.");
        }
        // A job requested before data cuts were recorded is read as the data stands now.
        var cut = job.DataCut ?? await session.Database.FetchHighestEventSequenceNumber(cancellationToken);
        var feedbackDatasetId = FeedbackCase.DatasetIdOf(job.ModelId);
        var caseIds = await session.Query<Case>()
            .Where(@case => @case.DatasetId == datasetId || @case.DatasetId == feedbackDatasetId)
            .Select(@case => @case.Id).ToListAsync(cancellationToken);
        var ids = caseIds.ToArray();
        var events = await session.Events.QueryAllRawEvents()
            .Where(@event => @event.Sequence <= cut && @event.StreamId.IsOneOf(ids))
            .OrderBy(@event => @event.Sequence)
            .ToListAsync(cancellationToken);
        var cases = events.GroupBy(@event => @event.StreamId)
            .Select(stream => At(stream.Select(@event => @event.Data)))
            .OfType<Case>().ToList();
        var revisionIds = cases.Where(@case => @case.CurrentRevisionId is not null).Select(@case => @case.CurrentRevisionId!.Value).Distinct();
        var revisions = (await session.LoadManyAsync<LabelRevision>(cancellationToken, revisionIds)).ToDictionary(revision => revision.Id);
        var acceptedResultIds = cases.Where(@case => @case.Feedback?.Verdict == FeedbackVerdict.Accept).Select(@case => @case.Feedback!.InferenceResultId).Distinct();
        var acceptedResults = (await session.LoadManyAsync<InferenceResult>(cancellationToken, acceptedResultIds)).ToDictionary(result => result.Id);
        // A job on the feedback dataset itself reads its cases once, as the job's dataset.
        var selected = Select(dataset, [.. cases.Where(@case => @case.DatasetId == datasetId)],
            datasetId == feedbackDatasetId ? [] : [.. cases.Where(@case => @case.DatasetId == feedbackDatasetId)], revisions, acceptedResults);
        return new TrainingSet(job.Id, job.ModelId, datasetId, dataset.Name, cut, selected);
    }

    public static void AddField(ObjectGraphType query) => query
        .Field<NonNullGraphType<TrainingSetGraphType>, TrainingSet>("trainingSet")
        .Description("A training job's data as it was at its data cut: the cases of its dataset and of its model's feedback dataset, " +
            "each with its part and the label revision it had then. Read whole (not paged), so one job reads one consistent set.")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<IdGraphType>>("job")
        .ResolveAsync(async context =>
        {
            await using var session = context.Store().QuerySession();
            return await ReadAsync(session, context.GetId("job"), context.CancellationToken);
        });
}

public sealed class TrainingSetGraphType : ObjectGraphType<TrainingSet>
{
    public TrainingSetGraphType()
    {
        Name = "TrainingSet";
        Field(set => set.JobId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(set => set.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(set => set.DatasetId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(set => set.DatasetName);
        Field<NonNullGraphType<LongGraphType>, long>("dataCut").Description("The event sequence number the set is read at.").Resolve(context => context.Source.DataCut);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TrainingSetCaseGraphType>>>, IEnumerable<TrainingSetCase>>("cases")
            .Resolve(context => context.Source.Cases);
    }
}

public sealed class TrainingSetCaseGraphType : ObjectGraphType<TrainingSetCase>
{
    public TrainingSetCaseGraphType()
    {
        Name = "TrainingSetCase";
        Field(item => item.CaseId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(item => item.DatasetId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(item => item.StudyInstanceUid);
        Field<NonNullGraphType<TrainingSetSourceGraphType>, TrainingSetSource>("source").Resolve(context => context.Source.Source);
        Field<NonNullGraphType<TrainingSetPartGraphType>, TrainingSetPart>("part").Resolve(context => context.Source.Part);
        Field(item => item.LabelRevisionId, type: typeof(IdGraphType));
        Field(item => item.Revision, nullable: true);
        Field<LabelKindGraphType, LabelKind?>("kind").Resolve(context => context.Source.Kind);
        Field(item => item.BlobDigest, nullable: true);
        Field(item => item.FeedbackId, type: typeof(IdGraphType)).Description("The correction's or acceptance's feedback, for a feedback case trained or evaluated on.");
        Field(item => item.AcceptedInferenceResultId, type: typeof(IdGraphType))
            .Description("For a study whose result a radiologist accepted: that inference result; its objects are the case's label.");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>, IEnumerable<string>?>("acceptedResultUids")
            .Description("The SOP Instance UIDs of the accepted result's objects (a SEG or SR in the archive): the model's own output, the case's label.")
            .Resolve(context => context.Source.AcceptedResultUids);
        Field(item => item.SkipReason, nullable: true).Description("Why the case is not used; null when it is.");
    }
}

public sealed class TrainingSetPartGraphType : EnumerationGraphType<TrainingSetPart>
{
    public TrainingSetPartGraphType() => Name = "TrainingSetPart";
}

public sealed class TrainingSetSourceGraphType : EnumerationGraphType<TrainingSetSource>
{
    public TrainingSetSourceGraphType() => Name = "TrainingSetSource";
}
