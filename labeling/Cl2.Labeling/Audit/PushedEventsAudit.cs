using System.Collections.Concurrent;
using Cl2.ServiceDefaults.Audit;
using GraphQL;
using GraphQL.Execution;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Audit;

/// <summary>
/// Records the patient and study data that subscriptions push to their sockets. Per event it only notes the studies and
/// patients the pushed answer disclosed (the same fields <see cref="GraphQLAccess"/> looks for); each subscription then
/// gets one record per <see cref="AuditOptions.PushedEventsInterval"/> that names them all and says how many events went
/// out, and a last one when it ends. So a busy subscription costs one record per interval, not one per event, and a
/// subscription whose events disclose nothing (model promotions, training progress) costs none. What is noted but not
/// yet recorded is lost in a crash, like what waits in the <see cref="AuditTrail"/>.
/// </summary>
public sealed class PushedEventsAudit(AuditTrail trail, IOptions<AuditOptions> options, TimeProvider time, ILogger<PushedEventsAudit> logger)
    : BackgroundService
{
    /// <summary>Objects one record names at most; a subscription that discloses more in one interval gets a record as soon as it has this many.</summary>
    public const int MostObjects = 100;

    private readonly ConcurrentDictionary<PushedEvents, byte> _open = new();

    /// <summary>
    /// The subscription's stream, noting what each event discloses for <paramref name="requestor"/> (a record of the
    /// subscriber, its address and roles, its event and operation still to be set).
    /// </summary>
    public IObservable<ExecutionResult> Watch(IObservable<ExecutionResult> stream, AuditRecord requestor, string field) =>
        trail.Enabled ? new AuditedStream(stream, this, requestor, field) : stream;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PushedEventsInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RecordAllAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync records what is left.
        }
    }

    /// <summary>Before the <see cref="AuditTrail"/> stops (hosted services stop in reverse order), so what is noted is written.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await RecordAllAsync();
    }

    private async Task RecordAllAsync()
    {
        foreach (var pushed in _open.Keys)
        {
            if (pushed.Take(time.GetUtcNow()) is { } record)
            {
                await trail.RecordAsync(record);
            }
        }
    }

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Recorded without waiting for the audit store: this runs on the thread that pushes the event.</summary>
    private void Record(AuditRecord? record)
    {
        if (record is not null)
        {
            UnawaitedAudit.Observe(trail.RecordAsync(record), record, logger);
        }
    }

    private sealed class AuditedStream(IObservable<ExecutionResult> stream, PushedEventsAudit audit, AuditRecord requestor, string field)
        : IObservable<ExecutionResult>
    {
        public IDisposable Subscribe(IObserver<ExecutionResult> observer)
        {
            var pushed = new PushedEvents(requestor, field);
            audit._open[pushed] = 0;
            var subscription = stream.Subscribe(new Noting(observer, pushed, audit));
            return new Ending(subscription, pushed, audit);
        }
    }

    private sealed class Noting(IObserver<ExecutionResult> observer, PushedEvents pushed, PushedEventsAudit audit) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value)
        {
            if (value.Data is ExecutionNode data)
            {
                audit.Record(pushed.Note(data, audit.Now));
            }
            observer.OnNext(value);
        }

        public void OnError(Exception error) => observer.OnError(error);

        public void OnCompleted() => observer.OnCompleted();
    }

    /// <summary>Unsubscribing (the client completed the operation, or the socket closed) records what is left.</summary>
    private sealed class Ending(IDisposable subscription, PushedEvents pushed, PushedEventsAudit audit) : IDisposable
    {
        public void Dispose()
        {
            subscription.Dispose();
            if (audit._open.TryRemove(pushed, out _))
            {
                audit.Record(pushed.Take(audit.Now));
            }
        }
    }

    /// <summary>What one subscription disclosed since its last record.</summary>
    private sealed class PushedEvents(AuditRecord requestor, string field)
    {
        private readonly Lock _gate = new();
        private readonly List<AuditObject> _objects = [];
        private readonly HashSet<(string, string)> _named = [];
        private int _events;
        private DateTimeOffset _first;

        /// <returns>A record when this event filled one (<see cref="MostObjects"/>); otherwise null.</returns>
        public AuditRecord? Note(ExecutionNode data, DateTimeOffset now)
        {
            var disclosed = new List<AuditObject>();
            GraphQLAccess.Disclosed(data, disclosed);
            if (disclosed.Count == 0)
            {
                return null;
            }
            lock (_gate)
            {
                if (_events++ == 0)
                {
                    _first = now;
                }
                foreach (var item in disclosed)
                {
                    if (_named.Add((item.IdType.Code, item.Id)))
                    {
                        _objects.Add(item);
                    }
                }
                return _objects.Count >= MostObjects ? TakeLocked(now) : null;
            }
        }

        public AuditRecord? Take(DateTimeOffset now)
        {
            lock (_gate)
            {
                return TakeLocked(now);
            }
        }

        private AuditRecord? TakeLocked(DateTimeOffset now)
        {
            if (_events == 0)
            {
                return null;
            }
            var record = requestor with
            {
                Id = Guid.NewGuid(),
                At = _first,
                EventId = AuditEvents.PatientRecord,
                Action = AuditActions.Read,
                Outcome = AuditOutcomes.Success,
                OutcomeDescription = $"{_events} events pushed between {_first:O} and {now:O}",
                Operation = $"subscription {field}: pushed",
                Objects = [.. _objects],
                StudyInstanceUids = [.. _objects.Where(o => o.IdType == AuditObjects.StudyInstanceUid).Select(o => o.Id)],
            };
            (_events, _first) = (0, default);
            _objects.Clear();
            _named.Clear();
            return record;
        }
    }
}
