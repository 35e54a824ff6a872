using Cl2.Labeling.GraphQL;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Tests;

public sealed class EventHubTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static EventHub Hub(int queue = 1000) =>
        new(NullLogger<EventHub>.Instance, Options.Create(new GraphQLOptions { MaxQueuedEventsPerSubscriber = queue }));

    [Fact]
    public async Task publishing_does_not_wait_for_a_subscriber_that_is_busy_with_an_earlier_event()
    {
        var hub = Hub();
        using var busy = new Blocking();
        using var quick = new Collecting(3);
        using var busySubscription = hub.Subscribe(busy);
        using var quickSubscription = hub.Subscribe(quick);

        var publishing = Task.Run(() =>
        {
            for (var index = 0; index < 3; index++)
            {
                hub.Publish(index);
            }
        });

        await publishing.WaitAsync(Bound);
        int[] expected = [0, 1, 2];
        Assert.Equal(expected, await quick.All.WaitAsync(Bound));
        busy.Release.Set();
        Assert.Equal(expected, await busy.Collected(3).WaitAsync(Bound));
    }

    [Fact]
    public async Task a_subscriber_that_falls_further_behind_than_its_queue_is_ended_as_too_slow()
    {
        var hub = Hub(queue: 2);
        using var busy = new Blocking();
        using var subscription = hub.Subscribe(busy);

        for (var index = 0; index < 6; index++)
        {
            hub.Publish(index);
        }
        busy.Release.Set();

        Assert.IsType<SubscriberTooSlowException>(await busy.Error.Task.WaitAsync(Bound));
        Assert.Empty(hub.Taken()!);
    }

    /// <summary>Blocks in its first OnNext until released, then records.</summary>
    private sealed class Blocking : IObserver<object>, IDisposable
    {
        private readonly List<int> _seen = [];
        private readonly SemaphoreSlim _added = new(0);

        public ManualResetEventSlim Release { get; } = new();

        public TaskCompletionSource<Exception> Error { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnNext(object value)
        {
            Release.Wait();
            lock (_seen)
            {
                _seen.Add((int)value);
            }
            _added.Release();
        }

        public void OnError(Exception error) => Error.TrySetResult(error);

        public void OnCompleted()
        {
        }

        public async Task<int[]> Collected(int count)
        {
            for (var index = 0; index < count; index++)
            {
                await _added.WaitAsync();
            }
            lock (_seen)
            {
                return [.. _seen];
            }
        }

        public void Dispose()
        {
            Release.Set();
            Release.Dispose();
            _added.Dispose();
        }
    }

    private sealed class Collecting(int expected) : IObserver<object>, IDisposable
    {
        private readonly List<int> _seen = [];
        private readonly TaskCompletionSource<int[]> _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<int[]> All => _all.Task;

        public void OnNext(object value)
        {
            lock (_seen)
            {
                _seen.Add((int)value);
                if (_seen.Count == expected)
                {
                    _all.TrySetResult([.. _seen]);
                }
            }
        }

        public void OnError(Exception error) => _all.TrySetException(error);

        public void OnCompleted()
        {
        }

        public void Dispose()
        {
        }
    }
}
