namespace Cl2.Labeling.GraphQL;

/// <summary>
/// The committed events this replica has handed to its subscribers lately, so that each is handed over once although
/// it can be read twice (a notification's sequence range can take in another transaction's events, and catching up
/// after a reconnect reads again what was delivered just before). Events are remembered by id, not by sequence number,
/// since the sequence can restart (Marten's ResetAllData).
/// </summary>
public sealed class DeliveredEvents(TimeSpan remember, int maxRemembered)
{
    private readonly Queue<(DateTimeOffset At, long Sequence, Guid Id)> _order = new();
    private readonly HashSet<Guid> _ids = [];

    /// <summary>
    /// Catching up reads the events after this sequence number: the highest one forgotten, or where listening first
    /// started. Every forgotten event was committed more than <c>remember</c> ago, so its number was taken before that
    /// of any transaction shorter than <c>remember</c> that was still running.
    /// </summary>
    public long Floor { get; private set; }

    public bool Started { get; private set; }

    /// <summary>
    /// The sequence number of the event handed over last. A notification's range is read from here on (see
    /// <see cref="ReadFrom"/>): replicas notify after they commit, each on its own schedule, so the notification of a
    /// later commit can arrive before that of an earlier one from another replica, and the earlier events must come first.
    /// </summary>
    public long Last { get; private set; }

    /// <summary>
    /// Where to read a notified range from: after the last event handed over, so what committed in between comes first —
    /// never below <see cref="Floor"/> (forgotten events would be handed over again), never above the range's own start.
    /// After the sequence restarted, <see cref="Last"/> is above the range and the range is read as it is.
    /// </summary>
    public long ReadFrom(long first) => Math.Min(first - 1, Math.Max(Floor, Last));

    /// <summary>Where the first catch-up starts: events committed before the replica first reached PostgreSQL are not delivered.</summary>
    public void Start(long floor)
    {
        if (!Started)
        {
            (Floor, Started) = (floor, true);
        }
    }

    /// <summary>The sequence restarted below <see cref="Floor"/> (the event store was reset): catch up from its start.</summary>
    public void SequenceRestarted() => (Floor, Last) = (0, 0);

    public bool Contains(Guid id) => _ids.Contains(id);

    /// <returns>True when the event was not delivered yet (and now counts as delivered).</returns>
    public bool TryAdd(Guid id, long sequence, DateTimeOffset now)
    {
        if (!_ids.Add(id))
        {
            return false;
        }
        _order.Enqueue((now, sequence, id));
        Last = sequence;
        Forget(now);
        return true;
    }

    public void Forget(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (_order.Count > maxRemembered || now - oldest.At > remember))
        {
            _order.Dequeue();
            _ids.Remove(oldest.Id);
            Floor = Math.Max(Floor, oldest.Sequence);
        }
    }
}
