using Cl2.Labeling.Archive;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Models;
using Cl2.Labeling.Training;
using Marten;
using Marten.Events;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Retraining;

/// <summary>
/// Whether a model's retraining policy asks for training now. New data is counted from the later of the production
/// version's data cut and the last job the policy requested (so a candidate the gate rejected does not trigger again on
/// the same labels): approved labels of the policy's dataset and corrections of the model's results, each label revision
/// once, a correction only once labeling's archive holds its study (<see cref="RetrainingOptions.CountCorrectionsWhenArchived"/>).
/// While a job of the model is waiting or running, nothing is requested. The request fine-tunes from the
/// production version and names its data cut; it is committed with the policy's <see cref="RetrainingTriggered"/>
/// against the policy stream's version, so replicas checking at the same moment request one job.
/// </summary>
public static class RetrainingTrigger
{
    public const string RequestedBy = "retraining-policy";

    /// <param name="Since">The data cut new labels are counted after.</param>
    /// <param name="DataCut">The highest event sequence number when the facts were read: the cut of a job requested now.</param>
    public sealed record Facts(Model? Model, bool JobPending, long Since, long DataCut, int NewLabels);

    public static (IReadOnlyList<object> Appended, IReadOnlyList<StartedStream> Started) Decide(
        RetrainingPolicy? policy, Facts facts, Guid jobId, DateTimeOffset now)
    {
        if (policy is not { IsOn: true } || facts is not { Model: { } model, JobPending: false, NewLabels: > 0 })
        {
            return ([], []);
        }
        var counted = $"{facts.NewLabels} new approved labels or corrections since data cut {facts.Since}";
        var reason = policy.NewLabelThreshold is { } threshold && facts.NewLabels >= threshold
            ? $"retraining policy: {counted} (threshold {threshold})"
            : policy.ScheduleMinutes is { } minutes && now >= (policy.LastTriggeredAt ?? policy.Changes[0].SetAt).AddMinutes(minutes)
                ? $"retraining policy: schedule every {minutes} minutes, {counted}"
                : null;
        if (reason is null)
        {
            return ([], []);
        }
        var requested = new TrainingRequested(jobId, model.Id, model.ProductionVersionId, policy.DatasetId, reason, RequestedBy, now,
            DataCut: facts.DataCut);
        return ([new RetrainingTriggered(policy.Id, model.Id, jobId, facts.DataCut, facts.NewLabels, reason, now)],
            [new StartedStream(typeof(TrainingJob), jobId, requested)]);
    }

    /// <summary>The archive a correction's study must be in to count, or null when corrections count at once
    /// (<see cref="RetrainingOptions.CountCorrectionsWhenArchived"/> off).</summary>
    public static ArchiveIndex? ArchiveOf(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RetrainingOptions>>().Value.CountCorrectionsWhenArchived ? services.GetRequiredService<ArchiveIndex>() : null;

    /// <summary>Checks the policy of one model, requesting a job when it says so.</summary>
    /// <param name="archive">Counts only the corrections of studies it holds; null counts every correction.</param>
    /// <returns>The job requested, if any.</returns>
    public static async Task<Guid?> CheckAsync(IDocumentStore store, ArchiveIndex? archive, Guid modelId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var jobId = Guid.CreateVersion7();
        var appended = await StreamDecision.DecideAndStartAsync<RetrainingPolicy, Facts>(store, RetrainingPolicy.StreamIdOf(modelId),
            (session, token) => ReadAsync(session, archive, modelId, token),
            (policy, facts) => Decide(policy, facts, jobId, now),
            cancellationToken);
        return appended.OfType<RetrainingTriggered>().FirstOrDefault()?.JobId;
    }

    /// <summary>Checks the policies that count approved labels of a dataset.</summary>
    public static async Task CheckDatasetAsync(IDocumentStore store, ArchiveIndex? archive, Guid datasetId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> models;
        await using (var session = store.QuerySession())
        {
            models = await session.Query<RetrainingPolicy>().Where(policy => policy.DatasetId == datasetId)
                .Select(policy => policy.ModelId).ToListAsync(cancellationToken);
        }
        foreach (var modelId in models)
        {
            await CheckAsync(store, archive, modelId, now, cancellationToken);
        }
    }

    private static async Task<Facts> ReadAsync(IQuerySession session, ArchiveIndex? archive, Guid modelId, CancellationToken cancellationToken)
    {
        var policy = await session.LoadAsync<RetrainingPolicy>(RetrainingPolicy.StreamIdOf(modelId), cancellationToken);
        var model = await session.LoadAsync<Model>(modelId, cancellationToken);
        if (policy is not { IsOn: true } || model is null)
        {
            return new Facts(model, false, 0, 0, 0);
        }
        var pending = await session.Query<TrainingJob>().AnyAsync(job => job.ModelId == modelId
            && (job.Status == TrainingStatus.Requested || job.Status == TrainingStatus.Running), cancellationToken);
        var production = model.ProductionVersionId is { } productionId ? model.FindVersion(productionId) : null;
        var since = Math.Max(policy.LastDataCut, production?.Lineage.DataCut ?? 0);
        var cut = await session.Database.FetchHighestEventSequenceNumber(cancellationToken);
        if (pending)
        {
            return new Facts(model, true, since, cut, 0);
        }
        var events = await session.Events.QueryAllRawEvents()
            .Where(@event => @event.Sequence > since && @event.Sequence <= cut && @event.EventTypesAre(typeof(LabelReviewed), typeof(FeedbackGiven)))
            .ToListAsync(cancellationToken);
        var corrections = events.Select(@event => @event.Data).OfType<FeedbackGiven>()
            .Where(given => given.ModelId == modelId && given.Verdict == FeedbackVerdict.Correct && given.CorrectedLabelRevisionId is not null)
            .ToList();
        if (archive is not null && corrections.Count > 0)
        {
            // A job could not read the images of a study the archive does not hold yet (it would skip the case): such a
            // correction is counted by a later check, once the study is stored.
            var held = await archive.HeldStudiesAsync([.. corrections.Select(given => given.StudyInstanceUid).Distinct(StringComparer.Ordinal)], cancellationToken);
            corrections.RemoveAll(given => !held.Contains(given.StudyInstanceUid));
        }
        var approvals = events.Select(@event => @event.Data).OfType<LabelReviewed>()
            .Where(reviewed => reviewed.Decision == ReviewDecision.Approve).ToList();
        var casesInDataset = (await session.LoadManyAsync<Case>(cancellationToken, approvals.Select(reviewed => reviewed.CaseId).Distinct()))
            .Where(@case => @case.DatasetId == policy.DatasetId).Select(@case => @case.Id).ToHashSet();
        var approved = approvals.Where(reviewed => casesInDataset.Contains(reviewed.CaseId)).Select(reviewed => reviewed.LabelRevisionId);
        return new Facts(model, false, since, cut, corrections.Select(given => given.CorrectedLabelRevisionId!.Value).Concat(approved).Distinct().Count());
    }
}
