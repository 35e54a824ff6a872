using System.Collections.Concurrent;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Each replica's one listening connection: it hears (<see cref="CommittedEventsChannel"/>) the sequence numbers of
/// every transaction that commits events, on any replica, reads those events from mt_events and hands them, each once,
/// to this replica's <see cref="EventHub"/> in sequence order: a notification is read from the last event handed over
/// up to its own last number, so another replica's earlier commit whose notification is late comes first. When the
/// connection drops it listens again and first catches up on what was committed meanwhile; when it has been quiet for a
/// heartbeat it catches up too, for a notification lost between some replica's commit and its NOTIFY.
/// </summary>
public sealed partial class CommittedEventsFeed(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    EventHub hub,
    IOptions<EventFeedOptions> options,
    TimeProvider time,
    ILogger<CommittedEventsFeed> logger) : IHostedService, IDisposable
{
    private const int PageSize = 1000;

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DeliveredEvents _delivered = new(TimeSpan.FromSeconds(options.Value.RememberSeconds), options.Value.MaxRemembered);
    private Task _running = Task.CompletedTask;
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        try
        {
            // A replica that takes subscriptions should already be listening, or a subscriber could miss what is committed
            // next. While PostgreSQL does not answer, the host starts anyway (not ready) and the feed keeps trying.
            await _firstAttempt.Task.WaitAsync(TimeSpan.FromSeconds(options.Value.StartTimeoutSeconds), time, cancellationToken);
        }
        catch (TimeoutException)
        {
            StillConnecting(logger, options.Value.StartTimeoutSeconds);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return; // a host stopped twice (disposed after a stop) stops its services twice
        }
        await _stopping.CancelAsync();
        try
        {
            await _running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown time is up: it stops waiting, as for any background service; the loop ends on its own.
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _stopped, 1);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var reconnectDelay = TimeSpan.FromMilliseconds(options.Value.ReconnectDelayMilliseconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever broke the connection or a read, subscribers are served again only by listening again.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                ListeningLost(logger, exception, reconnectDelay.TotalMilliseconds);
            }
            _firstAttempt.TrySetResult();
            try
            {
                await Task.Delay(reconnectDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var channel = CommittedEventsChannel.Name(schema);
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        var slice = TimeSpan.FromSeconds(1);
        var quiet = TimeSpan.Zero;
        var pending = new ConcurrentQueue<(long First, long Last)>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!_delivered.Started)
        {
            // As early as possible: should this attempt fail further on, what commits before the next one still counts.
            _delivered.Start(await CommittedEventsChannel.HighestSequenceAsync(connection, schema, cancellationToken));
        }
        connection.Notification += (_, notification) =>
        {
            if (notification.Channel == channel && CommittedEventsChannel.Parse(notification.Payload) is { } range)
            {
                pending.Enqueue(range);
            }
        };
        await using (var listen = new NpgsqlCommand($"set application_name = '{CommittedEventsChannel.ApplicationName}'; listen \"{channel}\"", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }
        // Marten creates its tables on first use; catching up reads mt_events.
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(IEvent), cancellationToken);
        // Listening from here on; what committed before (while this replica was not listening) is read now.
        await CatchUpAsync(cancellationToken);
        Listening(logger, channel, _delivered.Floor);
        _firstAttempt.TrySetResult();
        while (true)
        {
            while (pending.TryDequeue(out var range))
            {
                // Notifications that queued up while the last read ran are read at once (under load, one read for many
                // commits); what else the merged range holds is committed too, or not visible yet and notified later.
                while (pending.TryPeek(out var next) && Math.Max(range.Last, next.Last) - Math.Min(range.First, next.First) < PageSize)
                {
                    pending.TryDequeue(out _);
                    range = (Math.Min(range.First, next.First), Math.Max(range.Last, next.Last));
                }
                // From the last event handed over, not from the range's first: what committed in between (another
                // replica's commit whose notification is still on its way) is handed over first, in sequence order.
                await DeliverAsync(_delivered.ReadFrom(range.First), range.Last, cancellationToken);
            }
            // Waited for in slices of at most a second: Npgsql's wait does not end when the token is cancelled, and a
            // host that stops should not wait out a whole heartbeat.
            if (await connection.WaitAsync(slice, cancellationToken))
            {
                quiet = TimeSpan.Zero;
                continue;
            }
            quiet += slice;
            if (quiet >= heartbeat)
            {
                quiet = TimeSpan.Zero;
                // A quiet while: a dead listening connection fails this probe, and a commit whose notification was lost
                // (its replica stopped between commit and NOTIFY) is delivered now.
                await using (var probe = new NpgsqlCommand("select 1", connection))
                {
                    await probe.ExecuteScalarAsync(cancellationToken);
                }
                await CatchUpAsync(cancellationToken);
            }
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (await store.Storage.Database.FetchHighestEventSequenceNumber(cancellationToken) < _delivered.Floor)
        {
            _delivered.SequenceRestarted();
        }
        await DeliverAsync(_delivered.Floor, long.MaxValue, cancellationToken);
    }

    /// <summary>
    /// Hands over the events numbered after <paramref name="after"/> up to <paramref name="last"/> that are not delivered
    /// yet. Their ids and types are read first, and only the events of types some subscriber takes are read whole: a bulk
    /// import's 10,000 LabelSubmitted events, which no subscription takes, cost a page of ids, not 10,000 deserializations.
    /// </summary>
    private async Task DeliverAsync(long after, long last, CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var events = (EventGraph)store.Options.Events;
        await using var session = store.QuerySession();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        while (true)
        {
            var page = new List<(long Sequence, Guid Id, string Type)>(PageSize);
            await using (var command = new NpgsqlCommand(
                $"select seq_id, id, type from {schema}.mt_events where seq_id > $1 and seq_id <= $2 order by seq_id limit {PageSize}", connection))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = last });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2)));
                }
            }
            var fresh = page.Where(row => !_delivered.Contains(row.Id)).ToList();
            var taken = hub.Taken()?.Select(type => events.EventMappingFor(type).EventTypeName).ToHashSet();
            var wanted = fresh.Where(row => taken is null || taken.Contains(row.Type)).Select(row => row.Sequence).ToArray();
            if (wanted.Length > 0)
            {
                var read = await session.Events.QueryAllRawEvents()
                    .Where(@event => @event.Sequence.IsOneOf(wanted))
                    .OrderBy(@event => @event.Sequence)
                    .ToListAsync(cancellationToken);
                foreach (var @event in read)
                {
                    hub.Publish(@event.Data);
                }
            }
            var now = time.GetUtcNow();
            foreach (var row in fresh)
            {
                _delivered.TryAdd(row.Id, row.Sequence, now);
            }
            if (page.Count < PageSize)
            {
                _delivered.Forget(now);
                return;
            }
            after = page[^1].Sequence;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening on {Channel} for committed events (catching up after sequence {Floor} when reconnecting)")]
    private static partial void Listening(ILogger logger, string channel, long floor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection that listens for committed events; listening again in {DelayMilliseconds} ms, then catching up")]
    private static partial void ListeningLost(ILogger logger, Exception exception, double delayMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not listening for committed events after {Seconds} s (is PostgreSQL up?); still trying, subscriptions start once it listens")]
    private static partial void StillConnecting(ILogger logger, int seconds);
}
