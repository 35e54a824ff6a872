using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// The events committed by any replica, in commit order and each once, as <see cref="CommittedEventsFeed"/> hears
/// them from PostgreSQL (LISTEN/NOTIFY, no polling); GraphQL subscriptions take their streams from here.
/// Each subscriber has a queue of its own (<see cref="GraphQLOptions.MaxQueuedEventsPerSubscriber"/>) that a task of its
/// own empties, so <see cref="Publish"/> never waits for a subscriber; one that lets its queue fill is ended with
/// <see cref="SubscriberTooSlowException"/> instead of holding events for it without bound.
/// </summary>
public sealed partial class EventHub(ILogger<EventHub> logger, IOptions<GraphQLOptions> options) : IObservable<object>
{
    private readonly ILogger _logger = logger;

    private readonly Lock _gate = new();
    private Queued[] _observers = [];
    // The event type each observer takes (null: every event), so the feed reads from the store only what someone takes.
    private (Queued Observer, Type? Takes)[] _takes = [];

    /// <summary>Takes every event.</summary>
    public IDisposable Subscribe(IObserver<object> observer) => Subscribe(observer, null);

    /// <summary>
    /// The event types some subscriber takes now, or null when one takes every event. Events of other types need not
    /// be read: a subscription only hears what commits after it started.
    /// </summary>
    public IReadOnlySet<Type>? Taken()
    {
        var current = Volatile.Read(ref _takes);
        return current.Any(entry => entry.Takes is null) ? null : current.Select(entry => entry.Takes!).ToHashSet();
    }

    private IDisposable Subscribe(IObserver<object> target, Type? type)
    {
        var observer = new Queued(this, target, options.Value.MaxQueuedEventsPerSubscriber);
        lock (_gate)
        {
            _observers = [.. _observers, observer];
            _takes = [.. _takes, (observer, type)];
        }
        return new Unsubscriber(this, observer);
    }

    /// <summary>Hands <paramref name="event"/> to every subscriber's queue; never waits for one.</summary>
    public void Publish(object @event)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            observer.OnNext(@event);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber had {Capacity} events waiting when a {EventType} event came; it is ended as too slow")]
    private static partial void SubscriberTooSlow(ILogger logger, int capacity, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber failed to take a {EventType} event")]
    private static partial void SubscriberFailed(ILogger logger, Exception exception, string eventType);

    /// <summary>The events of <typeparamref name="T"/> (an event type as stored, not a base type) that pass
    /// <paramref name="filter"/>, as their own stream.</summary>
    public IObservable<TResult> Of<T, TResult>(Func<T, bool> filter, Func<T, TResult> map) => new Filtered<T, TResult>(this, filter, map);

    private void Remove(Queued observer)
    {
        lock (_gate)
        {
            _observers = [.. _observers.Where(existing => !ReferenceEquals(existing, observer))];
            _takes = [.. _takes.Where(existing => !ReferenceEquals(existing.Observer, observer))];
        }
    }

    private sealed class Unsubscriber(EventHub hub, Queued observer) : IDisposable
    {
        public void Dispose()
        {
            hub.Remove(observer);
            observer.Stop();
        }
    }

    /// <summary>A subscriber behind its bounded queue, emptied in order by a task of its own.</summary>
    private sealed class Queued : IObserver<object>
    {
        private readonly EventHub _hub;
        private readonly IObserver<object> _target;
        private readonly int _capacity;
        private readonly Channel<object> _queue;

        public Queued(EventHub hub, IObserver<object> target, int capacity)
        {
            (this._hub, this._target, this._capacity) = (hub, target, capacity);
            _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            _ = Task.Run(DeliverAsync);
        }

        public void OnNext(object value)
        {
            if (_queue.Writer.TryWrite(value))
            {
                return;
            }
            if (_queue.Writer.TryComplete(new SubscriberTooSlowException(_capacity)))
            {
                // Taken off at once, so later events are not offered to a subscriber that is ending.
                _hub.Remove(this);
                SubscriberTooSlow(_hub._logger, _capacity, value.GetType().Name);
            }
        }

        public void OnError(Exception error) => _queue.Writer.TryComplete(error);

        public void OnCompleted() => _queue.Writer.TryComplete();

        /// <summary>Unsubscribed: what is still queued is not delivered.</summary>
        public void Stop() => _queue.Writer.TryComplete(new OperationCanceledException());

        private async Task DeliverAsync()
        {
            try
            {
                await foreach (var value in _queue.Reader.ReadAllAsync())
                {
                    try
                    {
                        _target.OnNext(value);
                    }
                    catch (Exception exception)
                    {
                        // The event is committed whatever a subscriber does with it; one broken subscriber must not keep
                        // the others from hearing about it, nor stop hearing the next events itself.
                        SubscriberFailed(_hub._logger, exception, value.GetType().Name);
                    }
                }
                _target.OnCompleted();
            }
            catch (OperationCanceledException)
            {
                // Unsubscribed.
            }
            catch (Exception error)
            {
                _target.OnError(error);
            }
        }
    }

    private sealed class Filtered<T, TResult>(EventHub hub, Func<T, bool> filter, Func<T, TResult> map) : IObservable<TResult>
    {
        public IDisposable Subscribe(IObserver<TResult> observer) => hub.Subscribe(new Forward(observer, filter, map), typeof(T));

        private sealed class Forward(IObserver<TResult> target, Func<T, bool> filter, Func<T, TResult> map) : IObserver<object>
        {
            public void OnNext(object value)
            {
                if (value is T typed && filter(typed))
                {
                    target.OnNext(map(typed));
                }
            }

            public void OnError(Exception error) => target.OnError(error);

            public void OnCompleted() => target.OnCompleted();
        }
    }
}

/// <summary>A subscriber let more events wait than its queue holds; it is ended rather than held in memory.</summary>
public sealed class SubscriberTooSlowException(int capacity)
    : Exception($"The subscriber fell {capacity} events behind and was ended; subscribe again, and read what you miss with a query.");
