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

/// <summary>What is to forward, oldest first: the store's latest versions compared with the ledger. Pure but for the ledger's reads.</summary>
public static class ForwardingBacklog
{
    public static IReadOnlyList<PendingStudy> Compute(IReadOnlyList<StoredInstance> latestVersions, ForwardingLedger ledger)
    {
        var pending = new List<PendingStudy>();
        // An instance without a Study Instance UID cannot go to the archive (STOW-RS requires one); it stays in the store.
        foreach (var study in latestVersions.Where(instance => instance.StudyInstanceUid.Length > 0).GroupBy(instance => instance.StudyInstanceUid))
        {
            var instances = study.OrderBy(instance => instance.ReceivedAt).ToList();
            var toStore = instances.Where(instance => !ledger.IsStored(instance.Digest)).ToList();
            var recorded = ledger.RecordedCount(study.Key);
            if (toStore.Count == 0 && recorded >= instances.Count)
            {
                continue;
            }
            var last = instances[^1].ReceivedAt;
            pending.Add(new PendingStudy(study.Key, instances[0].CallingAeTitle, instances.Count, toStore, recorded, last,
                toStore.Count > 0 ? toStore[0].ReceivedAt : last));
        }
        return pending.OrderBy(study => study.PendingSince).ToList();
    }
}
