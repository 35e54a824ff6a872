using Cl2.Dicom;
using Cl2.Labeling.Archive;
using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Marten;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Runs an import in the background, study by study: list the study's instances (C-FIND at IMAGE level; with a series
/// description, only those of the matching series), skip those the archive holds already, fetch the rest by C-GET or
/// C-MOVE (<see cref="RetrievalPlan"/>: the whole study, whole series, or instance by instance), record StudyImported; at
/// the end add the studies that have instances as cases. Any failure ends the import with PacsImportFailed; running the
/// import again picks up where it stopped. An import the service was stopped in the middle of is resumed when it starts
/// again (<see cref="PacsImportResumer"/>), skipping the studies it had recorded.
/// </summary>
public sealed partial class PacsImportRunner(IDocumentStore store, PacsConnection pacs, IBlobStore blobs, ArchiveIndex index, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<PacsImportRunner> logger)
{
    public void Start(PacsImportStarted started, IReadOnlyList<StudyImported>? done = null) =>
        _ = Task.Run(() => RunAsync(started, done ?? [], lifetime.ApplicationStopping));

    /// <param name="done">The studies this import recorded before (when it resumes after a restart): not fetched or recorded again.</param>
    public async Task RunAsync(PacsImportStarted started, IReadOnlyList<StudyImported> done, CancellationToken cancellationToken)
    {
        try
        {
            var key = started.Deidentify ? DatasetPseudonyms.KeyFor(pacs.Options.PseudonymMasterKey, started.DatasetId) : null;
            var deidentifier = key is null ? null : DatasetPseudonyms.DeidentifierFor(key, started);
            var archivedStudies = done.Where(imported => imported.HasInstances()).Select(imported => imported.ArchivedStudyInstanceUid).ToList();
            var recorded = done.Select(imported => imported.StudyInstanceUid).ToHashSet(StringComparer.Ordinal);
            foreach (var study in started.StudyInstanceUids.Where(study => !recorded.Contains(study)))
            {
                var archivedStudy = key?.MapUid(study) ?? study;
                var archived = (await index.FindAsync(archivedStudy, null, null, cancellationToken)).Select(instance => instance.SopInstanceUid).ToHashSet();
                var wanted = await WantedAsync(study, started.SeriesDescription, cancellationToken);
                var missing = wanted.Where(instance => !archived.Contains(key?.MapUid(instance.SopInstanceUid) ?? instance.SopInstanceUid)).ToList();
                var receiver = new ArchiveReceiver(blobs, index, key, deidentifier);
                await pacs.RetrieveAsync(RetrievalPlan.Identifiers(study, wanted, missing, wholeStudy: started.SeriesDescription is null),
                    [.. missing.Select(instance => instance.SopInstanceUid)], receiver, cancellationToken);
                var imported = new StudyImported(started.ImportId, study, archivedStudy, receiver.Received, wanted.Count - missing.Count, time.GetUtcNow());
                if (imported.HasInstances())
                {
                    archivedStudies.Add(archivedStudy);
                }
                await AppendAsync(started.ImportId, cancellationToken, imported);
            }
            await CompleteAsync(started, archivedStudies, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ImportFailed(logger, exception, started.ImportId);
            var code = exception is DomainException domain ? domain.Code : ErrorCodes.PacsFailed;
            var reason = exception is DomainException ? exception.Message
                : $"the import stopped: {exception.Message}. Run importFromPacs again with the same studies to resume";
            await AppendAsync(started.ImportId, CancellationToken.None, new PacsImportFailed(started.ImportId, code, reason, time.GetUtcNow()));
        }
    }

    private Task CompleteAsync(PacsImportStarted started, IReadOnlyList<string> archivedStudies, CancellationToken cancellationToken) =>
        archivedStudies.Count == 0
            ? throw new DomainException(ErrorCodes.PacsStudyNotFound,
                $"The PACS has none of the studies {string.Join(", ", started.StudyInstanceUids)}: C-FIND found no instance of them" +
                (started.SeriesDescription is null ? "" : $" in series matching '{started.SeriesDescription}'") +
                ". Check the Study Instance UIDs with pacsStudies.")
            : StreamDecision.StartManyAsync<Case, CaseAdded>(store,
            (session, token) => AddCases.DecideAsync(session, index, new AddCases(started.DatasetId, [.. archivedStudies]), started.StartedBy, time.GetUtcNow(), token),
            @event => @event.CaseId,
            added => [(started.ImportId, new PacsImportCompleted(started.ImportId, added.Count, time.GetUtcNow()))],
            cancellationToken);

    private Task AppendAsync(Guid importId, CancellationToken cancellationToken, object @event) =>
        StreamDecision.DecideAsync<PacsImport>(store, importId, _ => [@event], cancellationToken);

    /// <summary>
    /// The study's instances to have (IMAGE-level C-FIND): all of them, or with a series description only those of the
    /// series it matches (SERIES-level C-FIND first, then each such series' instances).
    /// </summary>
    private async Task<IReadOnlyList<PacsInstance>> WantedAsync(string study, string? seriesDescription, CancellationToken cancellationToken)
    {
        if (seriesDescription is null)
        {
            return Instances(await pacs.FindAsync(RetrievalPlan.Identifier("IMAGE", study, "", ""), cancellationToken));
        }
        var wanted = new List<PacsInstance>();
        foreach (var series in await pacs.FindAsync(PacsCriteria.SeriesQuery(study, seriesDescription), cancellationToken))
        {
            wanted.AddRange(Instances(await pacs.FindAsync(RetrievalPlan.Identifier("IMAGE", study, Uid(series, DicomTags.SeriesInstanceUID), ""), cancellationToken)));
        }
        return wanted;
    }

    private static List<PacsInstance> Instances(IEnumerable<DicomDataset> matches) =>
        [.. matches.Select(match => new PacsInstance(Uid(match, DicomTags.SeriesInstanceUID), Uid(match, DicomTags.SOPInstanceUID)))];

    private static string Uid(DicomDataset dataset, DicomTag tag) => dataset.GetStringOrDefault(tag)?.Trim() ?? "";

    [LoggerMessage(Level = LogLevel.Warning, Message = "PACS import {ImportId} failed")]
    private static partial void ImportFailed(ILogger logger, Exception exception, Guid importId);
}
