using Cl2.Labeling.GraphQL;

namespace Cl2.Labeling.Tests;

public sealed class DeliveredEventsTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch;

    [Fact]
    public void an_event_read_twice_is_delivered_once_and_catching_up_starts_after_the_highest_forgotten_sequence()
    {
        var delivered = new DeliveredEvents(TimeSpan.FromMinutes(1), maxRemembered: 1000);
        delivered.Start(10);
        delivered.Start(99);
        Assert.Equal(10, delivered.Floor);
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        Assert.True(delivered.TryAdd(second, 12, Start));
        Assert.True(delivered.TryAdd(first, 11, Start.AddSeconds(30)));
        Assert.False(delivered.TryAdd(second, 12, Start.AddSeconds(40)));
        Assert.Equal(10, delivered.Floor);

        // The event committed first (sequence 12) is forgotten after a minute; 11, committed later, is still remembered.
        Assert.True(delivered.TryAdd(third, 13, Start.AddSeconds(61)));
        Assert.Equal(12, delivered.Floor);
        Assert.False(delivered.TryAdd(first, 11, Start.AddSeconds(62)));
        delivered.Forget(Start.AddSeconds(200));
        Assert.Equal(13, delivered.Floor);
        Assert.True(delivered.TryAdd(first, 11, Start.AddSeconds(201)));

        delivered.SequenceRestarted();
        Assert.Equal(0, delivered.Floor);
    }

    [Fact]
    public void past_the_most_it_remembers_it_forgets_the_oldest_delivery_first()
    {
        var delivered = new DeliveredEvents(TimeSpan.FromHours(1), maxRemembered: 2);
        delivered.Start(0);
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        for (var index = 0; index < ids.Length; index++)
        {
            Assert.True(delivered.TryAdd(ids[index], index + 1, Start));
        }
        Assert.Equal(1, delivered.Floor);
        Assert.False(delivered.TryAdd(ids[2], 3, Start));
        Assert.True(delivered.TryAdd(ids[0], 1, Start));
    }
}
