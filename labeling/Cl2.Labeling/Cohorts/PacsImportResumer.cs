using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// The rescuer: at start-up and then every <see cref="PacsImportOptions.RescueIntervalSeconds"/>, takes over every
/// import still RUNNING that no replica holds: its holder gave it back when it stopped cleanly, or died or hung past its
/// lease (or an older labeling left it without a claim). The claim is a decision on the import's stream (<see cref="ClaimPacsImport"/>), so of several
/// replicas rescuing at once exactly one runs it. The studies it recorded are skipped and the archive's contents are not
/// fetched again, so taking over is as cheap as the work left, and a study is counted once whoever recorded it.
/// </summary>
public sealed partial class PacsImportResumer(IDocumentStore store, PacsImportRunner runner, IOptions<PacsImportOptions> options, TimeProvider time,
    ILogger<PacsImportResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RescueIntervalSeconds), time);
        do
        {
            try
            {
                await RescueAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database may not be up yet, or is restarting: the imports stay RUNNING and the next round looks again.
                RescueFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RescueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<PacsImport> running;
        await using (var session = store.QuerySession())
        {
            // Few imports run at once: the lease is checked here rather than in SQL, against this replica's clock as the claim is.
            running = await session.Query<PacsImport>().Where(import => import.Status == PacsImportStatus.Running).ToListAsync(cancellationToken);
        }
        foreach (var import in running.Where(import => import.IsClaimable(time.GetUtcNow())))
        {
            if ((await runner.ClaimAndStartAsync(import.Id, cancellationToken))?.Holder == runner.Replica)
            {
                var from = import.Holder is { } holder ? $"{holder} (its lease ran out)" : "no replica (given back, or never claimed)";
                TakenOver(logger, import.Id, from, import.StudiesImported, import.StudyInstanceUids.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Took over PACS import {ImportId} from {Holder}: {Done} of {Total} studies were recorded before")]
    private static partial void TakenOver(ILogger logger, Guid importId, string holder, int done, int total);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not look for PACS imports to take over; trying again at the next round (importFromPacs with the same studies resumes one by hand)")]
    private static partial void RescueFailed(ILogger logger, Exception exception);
}
