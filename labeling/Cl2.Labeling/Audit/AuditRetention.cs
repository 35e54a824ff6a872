using Cl2.ServiceDefaults.Audit;
using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Audit;

/// <summary>Deletes audit records older than <see cref="AuditOptions.RetentionDays"/>, at start and every
/// <see cref="AuditOptions.PurgeInterval"/>.</summary>
public sealed class AuditRetention(IDocumentStore store, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Purging audit records past Audit:RetentionDays failed; trying again in {Interval}: {Reason}",
                    options.Value.PurgeInterval, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        await using var session = store.LightweightSession();
        session.DeleteWhere<AuditRecord>(record => record.At < before);
        await session.SaveChangesAsync(cancellationToken);
    }
}
