using Cl2.Dicom.Network.Server;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// The instances our running C-MOVEs wait for, by SOP Instance UID, and where each goes. The storage SCP takes an
/// instance only if a move expects it, and only once: anything else arriving is not ours to store.
/// </summary>
public sealed class PacsMoves
{
    private readonly Lock _gate = new();
    private readonly List<Expectation> _expectations = [];

    /// <summary>Until disposed, the storage SCP hands these instances to <paramref name="receiver"/>.</summary>
    public Expectation Expect(IEnumerable<string> sopInstanceUids, ICStoreProvider receiver)
    {
        var expectation = new Expectation(this, [.. sopInstanceUids], receiver);
        lock (_gate)
        {
            _expectations.Add(expectation);
        }
        return expectation;
    }

    /// <summary>The receiver of a move that expects this instance (which it then no longer expects), or null.</summary>
    public ICStoreProvider? Claim(string sopInstanceUid)
    {
        lock (_gate)
        {
            return _expectations.FirstOrDefault(expectation => expectation.Pending.Remove(sopInstanceUid))?.Receiver;
        }
    }

    public sealed class Expectation(PacsMoves moves, HashSet<string> pending, ICStoreProvider receiver) : IDisposable
    {
        internal HashSet<string> Pending { get; } = pending;

        internal ICStoreProvider Receiver { get; } = receiver;

        /// <summary>How many expected instances have not arrived (yet).</summary>
        public int Missing
        {
            get
            {
                lock (moves._gate)
                {
                    return Pending.Count;
                }
            }
        }

        public void Dispose()
        {
            lock (moves._gate)
            {
                moves._expectations.Remove(this);
            }
        }
    }
}
