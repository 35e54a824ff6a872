using Cl2.Inference.Ingest;

namespace Cl2.Inference.Forwarding;

/// <summary>A study labeling does not fully have yet: instances its archive lacks and/or a StudyReceived count behind ours.</summary>
public sealed record PendingStudy(
    string StudyInstanceUid,
    string CallingAeTitle,
    int InstanceCount,
    IReadOnlyList<StoredInstance> ToStore,
    int RecordedCount,
    DateTimeOffset LastReceivedAt,
    DateTimeOffset PendingSince)
{
    /// <summary>No instance of the study arrived for the quiet period: it counts as received (see docs/architecture.md).</summary>
    public bool IsQuiet(DateTimeOffset now, TimeSpan quietPeriod) => now - LastReceivedAt >= quietPeriod;
}

/// <summary>
/// What is to forward, oldest first: the store's latest versions compared with the ledger. Kept up to date, not recomputed
/// from the whole store: a study the ledger shows forwarded stays so until the store changes it (the ledger only ever
/// adds what labeling has), so each <see cref="Compute"/> looks at the studies that changed since the last
/// (<see cref="InstanceStore.StudiesChangedSince"/>) and those still pending, never at every instance the store retains.
/// </summary>
public sealed class ForwardingBacklog(InstanceStore store, ForwardingLedger ledger)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _unsettled = new(StringComparer.Ordinal);
    private long _cursor;

    public IReadOnlyList<PendingStudy> Compute()
    {
        lock (_gate)
        {
            // A study that changes after this read shows up at the next Compute, whatever this one made of it.
            var (changed, cursor) = store.StudiesChangedSince(_cursor);
            _unsettled.UnionWith(changed);
            _cursor = cursor;
            var pending = new List<PendingStudy>();
            foreach (var study in _unsettled.ToList())
            {
                if (Pending(study, store.LatestVersionsOf(study), ledger) is { } waiting)
                {
                    pending.Add(waiting);
                }
                else
                {
                    _unsettled.Remove(study);
                }
            }
            return pending.OrderBy(study => study.PendingSince).ThenBy(study => study.StudyInstanceUid, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Whether the store holds an instance of the study that the archive lacks: O(the study).</summary>
    public bool HoldsUnforwarded(string studyInstanceUid) =>
        store.LatestVersionsOf(studyInstanceUid).Any(instance => !ledger.IsStored(instance.Digest));

    /// <summary>When the newest of the study's instances here arrived (null: none yet), and the newest of those the archive has:
    /// what a report to labeling of this replica's part covers.</summary>
    public (DateTimeOffset? Received, DateTimeOffset? Forwarded) ReceivedAndForwardedThrough(string studyInstanceUid)
    {
        var instances = store.LatestVersionsOf(studyInstanceUid);
        return (instances.Select(instance => (DateTimeOffset?)instance.ReceivedAt).Max(),
            instances.Where(instance => ledger.IsStored(instance.Digest)).Select(instance => (DateTimeOffset?)instance.ReceivedAt).Max());
    }

    /// <summary>What labeling lacks of one study (its latest versions <paramref name="latestVersions"/>), or null when it has
    /// it all. Pure but for the ledger's reads.</summary>
    public static PendingStudy? Pending(string studyInstanceUid, IReadOnlyList<StoredInstance> latestVersions, ForwardingLedger ledger)
    {
        // An instance without a Study Instance UID cannot go to the archive (STOW-RS requires one); it stays in the store.
        if (studyInstanceUid.Length == 0 || latestVersions.Count == 0)
        {
            return null;
        }
        var instances = latestVersions.OrderBy(instance => instance.ReceivedAt).ToList();
        var toStore = instances.Where(instance => !ledger.IsStored(instance.Digest)).ToList();
        var recorded = ledger.RecordedCount(studyInstanceUid);
        if (toStore.Count == 0 && recorded >= instances.Count)
        {
            return null;
        }
        var last = instances[^1].ReceivedAt;
        return new PendingStudy(studyInstanceUid, instances[0].CallingAeTitle, instances.Count, toStore, recorded, last,
            toStore.Count > 0 ? toStore[0].ReceivedAt : last);
    }
}
