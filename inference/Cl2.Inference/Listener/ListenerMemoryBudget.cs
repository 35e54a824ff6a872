using Microsoft.Extensions.Options;

namespace Cl2.Inference.Listener;

/// <summary>
/// The bytes of received instances that all associations together may hold in memory
/// (<see cref="ListenerOptions.MaxInMemoryBytes"/>). An association reserves what it is about to hold; when the budget is
/// spent it spools to disk instead, so a peer that streams unfinished instances costs disk, not the process's memory.
/// </summary>
public sealed class ListenerMemoryBudget(IOptions<ListenerOptions> options)
{
    private long _inUse;

    public long Limit { get; } = options.Value.MaxInMemoryBytes;

    /// <summary>Bytes reserved now (for the health of the listener and for tests).</summary>
    public long InUse => Interlocked.Read(ref _inUse);

    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _inUse);
            if (current + bytes > Limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _inUse, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _inUse, -bytes);
}
