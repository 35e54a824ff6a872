using Cl2.Labeling.GraphQL;

namespace Cl2.Labeling.Tests;

/// <summary>What a host's <see cref="EventHub"/> hands its subscribers, recorded for a test to wait on.</summary>
public sealed class HubRecorder : IObserver<object>, IDisposable
{
    // Generous: 1,200 events crossing replicas through PostgreSQL took over 30 s once with the whole suite on two cores.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);

    private readonly List<object> _events = [];
    private readonly IDisposable _subscription;
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HubRecorder(EventHub hub) => _subscription = hub.Subscribe(this);

    /// <summary>The <typeparamref name="T"/> events (that pass <paramref name="filter"/>) recorded so far, once there are at least <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync<T>(int count, Func<T, bool>? filter = null)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            Task next;
            lock (_events)
            {
                var recorded = _events.OfType<T>().Where(filter ?? (_ => true)).ToArray();
                if (recorded.Length >= count)
                {
                    return recorded;
                }
                next = _added.Task;
            }
            try
            {
                await next.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                int handed;
                lock (_events)
                {
                    handed = _events.OfType<T>().Count(filter ?? (_ => true));
                }
                throw new TimeoutException($"The hub handed over {handed} of {count} {typeof(T).Name} events in {HangGuard.TotalSeconds} s.");
            }
        }
    }

    public void OnNext(object value)
    {
        TaskCompletionSource signal;
        lock (_events)
        {
            _events.Add(value);
            (signal, _added) = (_added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        signal.SetResult();
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription.Dispose();
}
