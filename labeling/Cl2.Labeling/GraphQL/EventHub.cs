namespace Cl2.Labeling.GraphQL;

/// <summary>
/// The events committed by any replica, in commit order and each once, as <see cref="CommittedEventsFeed"/> hears
/// them from PostgreSQL (LISTEN/NOTIFY, no polling); GraphQL subscriptions take their streams from here.
/// </summary>
public sealed partial class EventHub(ILogger<EventHub> logger) : IObservable<object>
{
    private readonly Lock gate = new();
    private IObserver<object>[] observers = [];
    // The event type each observer takes (null: every event), so the feed reads from the store only what someone takes.
    private (IObserver<object> Observer, Type? Takes)[] takes = [];

    /// <summary>Takes every event.</summary>
    public IDisposable Subscribe(IObserver<object> observer) => Subscribe(observer, null);

    /// <summary>
    /// The event types some subscriber takes now, or null when one takes every event. Events of other types need not
    /// be read: a subscription only hears what commits after it started.
    /// </summary>
    public IReadOnlySet<Type>? Taken()
    {
        var current = Volatile.Read(ref takes);
        return current.Any(entry => entry.Takes is null) ? null : current.Select(entry => entry.Takes!).ToHashSet();
    }

    private IDisposable Subscribe(IObserver<object> observer, Type? type)
    {
        lock (gate)
        {
            observers = [.. observers, observer];
            takes = [.. takes, (observer, type)];
        }
        return new Unsubscriber(this, observer);
    }

    public void Publish(object @event)
    {
        foreach (var observer in Volatile.Read(ref observers))
        {
            try
            {
                observer.OnNext(@event);
            }
            catch (Exception exception)
            {
                // The event is committed whatever a subscriber does with it; one broken subscriber must not fail the
                // mutation that committed it, nor keep the others from hearing about it.
                SubscriberFailed(logger, exception, @event.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber failed to take a {EventType} event")]
    private static partial void SubscriberFailed(ILogger logger, Exception exception, string eventType);

    /// <summary>The events of <typeparamref name="T"/> (an event type as stored, not a base type) that pass
    /// <paramref name="filter"/>, as their own stream.</summary>
    public IObservable<TResult> Of<T, TResult>(Func<T, bool> filter, Func<T, TResult> map) => new Filtered<T, TResult>(this, filter, map);

    private void Remove(IObserver<object> observer)
    {
        lock (gate)
        {
            observers = [.. observers.Where(existing => !ReferenceEquals(existing, observer))];
            takes = [.. takes.Where(existing => !ReferenceEquals(existing.Observer, observer))];
        }
    }

    private sealed class Unsubscriber(EventHub hub, IObserver<object> observer) : IDisposable
    {
        public void Dispose() => hub.Remove(observer);
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
