using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Database;

/// <summary>
/// Creates or updates Marten's tables when labeling starts, so that the first request on a fresh database finds every
/// table it reads (the label status counts read <c>mt_doc_case</c> with SQL of their own, before any case exists). When
/// PostgreSQL is down at start the host starts anyway, reports not ready, and tries again every
/// <see cref="PostgresOptions.SchemaRetrySeconds"/> until the tables exist.
/// </summary>
public sealed partial class EventStoreSchema(IDocumentStore store, IOptions<PostgresOptions> options, ILogger<EventStoreSchema> logger)
    : BackgroundService, IHealthCheck
{
    private volatile bool applied;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Once before the host takes requests; only when that fails does the background retry take over.
        await TryApplyAsync(firstTry: true);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!applied && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.SchemaRetrySeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await TryApplyAsync(firstTry: false);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(applied
            ? HealthCheckResult.Healthy("Marten's tables exist")
            : HealthCheckResult.Unhealthy($"Marten's tables are not created yet: PostgreSQL did not answer; labeling tries again every {options.Value.SchemaRetrySeconds} s."));

    private async Task TryApplyAsync(bool firstTry)
    {
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            applied = true;
            if (!firstTry)
            {
                SchemaApplied(logger);
            }
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            if (firstTry)
            {
                SchemaNotApplied(logger, options.Value.SchemaRetrySeconds, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marten's tables could not be created at start ({Reason}); trying again every {Seconds} s")]
    private static partial void SchemaNotApplied(ILogger logger, int seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Marten's tables are created now that PostgreSQL answers")]
    private static partial void SchemaApplied(ILogger logger);
}
