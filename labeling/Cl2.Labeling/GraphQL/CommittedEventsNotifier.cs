using System.Threading.Channels;
using Cl2.Labeling.Database;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Tells every replica (<see cref="CommittedEventsFeed"/>) which event sequence numbers a transaction committed, after it
/// committed: one NOTIFY for whatever was committed meanwhile, on a connection of its own. Not inside the writing
/// transactions: PostgreSQL commits notifying transactions one at a time, holding a lock until each commit is on
/// disk, which with fsync on cut a pgbench of concurrent one-row inserts from ~2,400 to ~365 commits/s. The
/// notification itself need not be durable (a replica that reconnects catches up from the table), so its own
/// transaction commits without waiting for the disk. A notification lost to a crash between a commit and its NOTIFY
/// is made up by the listeners' catch-up when they are next quiet (<see cref="EventFeedOptions.HeartbeatSeconds"/>).
/// </summary>
public sealed partial class CommittedEventsNotifier(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> postgres,
    ILogger<CommittedEventsNotifier> logger) : BackgroundService
{
    private readonly Channel<(long First, long Last)> _committed = Channel.CreateUnbounded<(long, long)>(new() { SingleReader = true });

    /// <summary>A transaction that stored the events numbered <paramref name="first"/> to <paramref name="last"/> committed.</summary>
    public void Committed(long first, long last) => _committed.Writer.TryWrite((first, last));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = CommittedEventsChannel.Name(postgres.Value.Schema);
        var ranges = new List<(long First, long Last)>();
        try
        {
            while (await _committed.Reader.WaitToReadAsync(stoppingToken))
            {
                ranges.Clear();
                while (_committed.Reader.TryRead(out var range))
                {
                    ranges.Add(range);
                }
                try
                {
                    await NotifyAsync(channel, ranges, stoppingToken);
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
                {
                    // PostgreSQL is away: the listeners lost their connections too, and catch up when they listen again.
                    NotifyFailed(logger, exception, ranges.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task NotifyAsync(string channel, List<(long First, long Last)> ranges, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("set local synchronous_commit = off"),
                new("select pg_notify($1, payload) from unnest($2::text[]) as payload")
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = channel },
                        new NpgsqlParameter<string[]> { TypedValue = [.. ranges.Select(range => CommittedEventsChannel.Payload(range.First, range.Last))] },
                    },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not notify the other replicas of {Count} committed transactions; their feeds catch up when they listen again")]
    private static partial void NotifyFailed(ILogger logger, Exception exception, int count);
}

/// <summary>Hands the sequence numbers of every transaction a Marten session commits to the <see cref="CommittedEventsNotifier"/>.</summary>
public sealed class CommittedEventsListener(CommittedEventsNotifier notifier) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        var sequences = commit.GetEvents().Select(@event => @event.Sequence).ToArray();
        if (sequences.Length > 0)
        {
            notifier.Committed(sequences.Min(), sequences.Max());
        }
        return Task.CompletedTask;
    }
}
