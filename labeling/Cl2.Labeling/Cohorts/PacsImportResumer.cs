using Marten;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// At start-up, picks up every import still RUNNING: the service stopped (or died) in the middle of it. The studies it
/// recorded are skipped and the archive's contents are not fetched again, so resuming is as cheap as the work left.
/// One labeling replica is assumed: two replicas starting at once would both resume the same import (the archive
/// still stores each instance once, but the import's counters would count twice).
/// </summary>
public sealed partial class PacsImportResumer(IDocumentStore store, PacsImportRunner runner, ILogger<PacsImportResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var session = store.QuerySession();
            var running = await session.Query<PacsImport>().Where(import => import.Status == PacsImportStatus.Running).ToListAsync(stoppingToken);
            foreach (var import in running)
            {
                var events = await session.Events.FetchStreamAsync(import.Id, token: stoppingToken);
                var started = events.Select(@event => @event.Data).OfType<PacsImportStarted>().Single();
                var done = events.Select(@event => @event.Data).OfType<StudyImported>().ToList();
                Resuming(logger, import.Id, done.Count, started.StudyInstanceUids.Count);
                runner.Start(started, done);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The database may not be up yet; the imports stay RUNNING, and running importFromPacs again resumes them by hand.
            ResumeFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming PACS import {ImportId} after a restart: {Done} of {Total} studies were imported before")]
    private static partial void Resuming(ILogger logger, Guid importId, int done, int total);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not look for PACS imports to resume; imports left RUNNING stay so until importFromPacs is run again with the same studies")]
    private static partial void ResumeFailed(ILogger logger, Exception exception);
}
