using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Database;

/// <summary>
/// Creates or updates Marten's tables when labeling starts, before it takes requests, so that the first request on a
/// fresh database finds every table it reads (the label status counts read <c>mt_doc_case</c> with SQL of their own,
/// before any case exists). When PostgreSQL is down at start the host starts anyway and reports not ready; Marten then
/// creates each table on its first use, and the SQL readers ask for theirs as a session would.
/// Replicas starting together take turns (<see cref="SchemaChangeLock"/>).
/// </summary>
public sealed partial class EventStoreSchema(IDocumentStore store, NpgsqlDataSource dataSource, IOptions<PostgresOptions> postgres,
    ILogger<EventStoreSchema> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var turn = await SchemaChangeLock.AcquireAsync(dataSource, postgres.Value.Schema, cancellationToken);
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            SchemaNotApplied(logger, exception.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marten's tables could not be created at start ({Reason}); each is created on its first use once PostgreSQL answers")]
    private static partial void SchemaNotApplied(ILogger logger, string reason);
}
