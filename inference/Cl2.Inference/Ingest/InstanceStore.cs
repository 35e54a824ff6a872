using Cl2.Inference.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Ingest;

/// <summary>An instance received and parsed, not yet durable: its Part 10 bytes (in memory, or in <paramref name="Spool"/>
/// when that is set), their SHA-256 (lower-case hex) and the attributes to index.</summary>
public sealed record IncomingInstance(
    ReadOnlyMemory<byte> Part10Bytes,
    string Digest,
    long DataSetOffset,
    string SopClassUid,
    string SopInstanceUid,
    string TransferSyntaxUid,
    string CallingAeTitle,
    IReadOnlyDictionary<string, string> Attributes,
    InstanceSpool? Spool = null)
{
    public long Length => Spool?.Length ?? Part10Bytes.Length;
}

/// <summary>
/// The durable ingest store. An instance is durable when its Part 10 bytes and its index record are in a pack
/// (<see cref="InstancePacks"/>) and fdatasync'd; <see cref="StoreAsync"/> returns only then. Content-addressed: the
/// SHA-256 of the Part 10 bytes names an instance, and the same bytes again are not written twice. Every waiting instance
/// is made durable together (group commit: one gathered write and one fdatasync per batch), so concurrent associations
/// share the cost. The commit runs on the thread of the first association that finds no commit running (the leader);
/// those arriving meanwhile queue and are committed by it in the next batch. One association alone thus commits on its
/// own thread: no hand-off to a writer thread and back, which on a loaded machine costs more than the sync.
/// </summary>
public sealed class InstanceStore(IOptions<InferenceOptions> inference, IOptions<ListenerOptions> listener, TimeProvider time,
    ILogger<InstanceStore> logger) : IHostedService, IDisposable
{
    private sealed record PendingCommit(StoredInstance Instance, ReadOnlyMemory<byte> Part10Bytes, InstanceSpool? Spool, TaskCompletionSource<StoreOutcome> Done);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredInstance> _byDigest = [];
    private readonly Dictionary<string, PackLocation> _locations = [];
    private readonly Dictionary<string, List<StoredInstance>> _versions = [];

    /// <summary>Per study, the SOP Instance UIDs whose latest version belongs to it (in the order they came), so that
    /// what asks about one study reads that study, not the whole retained store.</summary>
    private readonly Dictionary<string, List<string>> _byStudy = new(StringComparer.Ordinal);

    /// <summary>Studies in the order they last changed (least recent first), each with the number of the store change
    /// that touched it last: <see cref="StudiesChangedSince"/> walks back from the end only as far as it must.</summary>
    private readonly LinkedList<(string Study, long Change)> _changeOrder = [];
    private readonly Dictionary<string, LinkedListNode<(string Study, long Change)>> _changeNodes = new(StringComparer.Ordinal);
    private long _change;
    private readonly Dictionary<string, Task<StoreOutcome>> _inFlight = [];
    private readonly List<StudyReceived> _studies = [];
    private readonly Dictionary<string, int> _studyIndex = [];
    private readonly Lock _queueGate = new();
    private readonly Queue<PendingCommit> _queue = [];
    private bool _committing;
    private InstancePacks? _packs;
    private long _duplicates;
    private long _newVersions;

    /// <summary>Raised after the commit that made a study's first instance durable.</summary>
    public event EventHandler<StudyReceived>? StudyReceived;

    public string Folder { get; } = Path.Combine(Path.GetFullPath(inference.Value.StoragePath), "dicom");

    /// <summary>Where instances too large to hold in memory are written as they arrive, until their commit copies them
    /// into a pack; what a killed process left there was never acknowledged and is deleted at start.</summary>
    public string SpoolFolder => Path.Combine(Folder, "incoming");

    public long DuplicatesReceived => Interlocked.Read(ref _duplicates);

    public long NewVersionsReceived => Interlocked.Read(ref _newVersions);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(SpoolFolder))
        {
            Directory.Delete(SpoolFolder, recursive: true);
        }
        var (packs, replayed, cut) = InstancePacks.Open(Path.Combine(Folder, "packs"));
        _packs = packs;
        if (cut > 0)
        {
            logger.LogWarning("Cut {Bytes} bytes of an unfinished commit off the end of the store; those instances were never acknowledged", cut);
        }
        if (EarlierLayoutImport.Run(Folder, packs, replayed) is var imported and > 0)
        {
            logger.LogInformation("Moved {Instances} instances from the earlier layout (blobs/ and index.journal) into packs", imported);
        }
        lock (_gate)
        {
            foreach (var (instance, location) in replayed)
            {
                Apply(instance, location);
            }
        }
        logger.LogInformation("DICOM store {Folder}: {Instances} instances of {Studies} studies", Folder, _byDigest.Count, _studies.Count);
        return Task.CompletedTask;
    }

    /// <summary>Waits for a commit that is running (the listener, stopped before us, sends no more).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_queueGate)
            {
                if (!_committing)
                {
                    return;
                }
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    public void Dispose() => _packs?.Dispose();

    /// <summary>Makes the instance durable and indexed; returns only then (or throws: then it is not acknowledged).</summary>
    public async Task<StoreOutcome> StoreAsync(IncomingInstance incoming, CancellationToken cancellationToken)
    {
        var digest = incoming.Digest;
        TaskCompletionSource<StoreOutcome>? done = null;
        Task<StoreOutcome>? sameBytes = null;
        lock (_gate)
        {
            if (_byDigest.TryGetValue(digest, out var existing))
            {
                Interlocked.Increment(ref _duplicates);
                return new StoreOutcome(StoreOutcomeKind.Duplicate, existing);
            }
            if (!_inFlight.TryGetValue(digest, out sameBytes))
            {
                done = new TaskCompletionSource<StoreOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                _inFlight[digest] = done.Task;
            }
        }
        if (done is null)
        {
            // The same bytes are being stored by another association: wait for that commit and answer alike.
            var first = await sameBytes!.WaitAsync(cancellationToken);
            Interlocked.Increment(ref _duplicates);
            return first with { Kind = StoreOutcomeKind.Duplicate };
        }
        // The caller's buffer is written by the commit: it must stay untouched until this method returns, which is why
        // the commit is awaited without the cancellation token.
        var pending = new PendingCommit(new StoredInstance(digest, 0, incoming.SopClassUid, incoming.SopInstanceUid, incoming.TransferSyntaxUid,
            incoming.Length, incoming.DataSetOffset, incoming.CallingAeTitle, time.GetUtcNow(), incoming.Attributes), incoming.Part10Bytes, incoming.Spool, done);
        bool lead;
        lock (_queueGate)
        {
            _queue.Enqueue(pending);
            lead = !_committing;
            _committing = true;
        }
        if (lead)
        {
            CommitQueued(pending);
        }
        return await done.Task;
    }

    /// <summary>
    /// Commits queued instances in batches until <paramref name="own"/> (the leader's instance) is durable; what queued
    /// meanwhile is handed to a thread-pool task, so the leader's association answers without waiting for others.
    /// </summary>
    private void CommitQueued(PendingCommit? own)
    {
        var maxBatch = listener.Value.MaxCommitBatch;
        while (true)
        {
            var batch = new List<PendingCommit>();
            lock (_queueGate)
            {
                if (_queue.Count == 0)
                {
                    _committing = false;
                    return;
                }
                if (own is not null && own.Done.Task.IsCompleted)
                {
                    _ = Task.Run(() => CommitQueued(null), CancellationToken.None);
                    return;
                }
                while (batch.Count < maxBatch && _queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }
            }
            try
            {
                Commit(batch);
            }
#pragma warning disable CA1031 // Whatever failed, the batch is not durable: its stores fail, and the next batch is tried.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "Group commit of {Count} instances failed; they were not acknowledged", batch.Count);
                lock (_gate)
                {
                    foreach (var failed in batch)
                    {
                        _inFlight.Remove(failed.Instance.Digest);
                    }
                }
                foreach (var failed in batch)
                {
                    failed.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>The latest version of every instance: what query and retrieve see.</summary>
    public IReadOnlyList<StoredInstance> LatestVersions()
    {
        lock (_gate)
        {
            return _versions.Values.Select(versions => versions[^1]).ToList();
        }
    }

    /// <summary>The latest version of every instance of one study, in the order they first came: O(the study), not O(the store).</summary>
    public IReadOnlyList<StoredInstance> LatestVersionsOf(string studyInstanceUid)
    {
        lock (_gate)
        {
            return _byStudy.TryGetValue(studyInstanceUid, out var sops) ? sops.Select(sop => _versions[sop][^1]).ToList() : [];
        }
    }

    /// <summary>
    /// The studies whose latest versions changed (an instance or a new version came, or left for another study) after
    /// change <paramref name="cursor"/>, and the cursor to ask with next time; 0 gives every study the store holds. A caller
    /// that keeps what it derived per study thus redoes only the studies that changed, in O(those), never O(the store).
    /// </summary>
    public (IReadOnlyList<string> Studies, long Cursor) StudiesChangedSince(long cursor)
    {
        lock (_gate)
        {
            var changed = new List<string>();
            for (var node = _changeOrder.Last; node is not null && node.Value.Change > cursor; node = node.Previous)
            {
                changed.Add(node.Value.Study);
            }
            return (changed, _change);
        }
    }

    public IReadOnlyList<StoredInstance> Versions(string sopInstanceUid)
    {
        lock (_gate)
        {
            return _versions.TryGetValue(sopInstanceUid, out var versions) ? versions.ToList() : [];
        }
    }

    public IReadOnlyList<StudyReceived> Studies()
    {
        lock (_gate)
        {
            return _studies.ToList();
        }
    }

    /// <summary>The stored data set (the Part 10 bytes after the meta header).</summary>
    public Stream OpenDataSet(StoredInstance instance) => OpenPart10(instance, instance.DataSetOffset);

    /// <summary>The stored Part 10 bytes, whose SHA-256 is the instance's digest.</summary>
    public Stream OpenPart10(StoredInstance instance) => OpenPart10(instance, 0);

    private Stream OpenPart10(StoredInstance instance, long skip)
    {
        PackLocation location;
        lock (_gate)
        {
            location = _locations.GetValueOrDefault(instance.Digest) ?? throw new InvalidOperationException($"{instance.SopInstanceUid} ({instance.Digest}) is not in the store");
        }
        return _packs!.Read(location, skip);
    }

    private void Commit(List<PendingCommit> batch)
    {
        var records = new List<StoredInstance>(batch.Count);
        var outcomes = new List<StoreOutcome>(batch.Count);
        lock (_gate)
        {
            var pendingVersions = new Dictionary<string, int>();
            foreach (var pending in batch)
            {
                var uid = pending.Instance.SopInstanceUid;
                var known = (_versions.TryGetValue(uid, out var versions) ? versions.Count : 0) + pendingVersions.GetValueOrDefault(uid);
                pendingVersions[uid] = pendingVersions.GetValueOrDefault(uid) + 1;
                var record = pending.Instance with { Version = known + 1 };
                records.Add(record);
                outcomes.Add(new StoreOutcome(known == 0 ? StoreOutcomeKind.Stored : StoreOutcomeKind.NewVersion, record));
            }
        }
        var locations = _packs!.Append(records.Select((record, i) => new PackEntry(record, batch[i].Part10Bytes, batch[i].Spool)).ToList());
        var newStudies = new List<StudyReceived>();
        lock (_gate)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (Apply(record, locations[i]) is { } study)
                {
                    newStudies.Add(study);
                }
                _inFlight.Remove(record.Digest);
            }
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Kind == StoreOutcomeKind.NewVersion)
            {
                Interlocked.Increment(ref _newVersions);
                logger.LogWarning("SOP Instance {SopInstanceUid} from {CallingAeTitle} differs from the copy we hold; kept as version {Version}",
                    records[i].SopInstanceUid, records[i].CallingAeTitle, records[i].Version);
            }
            batch[i].Done.TrySetResult(outcomes[i]);
        }
        foreach (var study in newStudies)
        {
            StudyReceived?.Invoke(this, study);
        }
    }

    /// <summary>Adds a durable record to the in-memory index; returns the study fact when it is the study's first instance.</summary>
    private StudyReceived? Apply(StoredInstance instance, PackLocation location)
    {
        _byDigest[instance.Digest] = instance;
        _locations[instance.Digest] = location;
        if (!_versions.TryGetValue(instance.SopInstanceUid, out var versions))
        {
            _versions[instance.SopInstanceUid] = versions = [];
        }
        var study = instance.StudyInstanceUid;
        var previousStudy = versions.Count > 0 ? versions[^1].StudyInstanceUid : null;
        versions.Add(instance);
        IndexByStudy(instance.SopInstanceUid, previousStudy, study);
        if (study.Length == 0 || _studyIndex.ContainsKey(study))
        {
            return null;
        }
        var fact = new StudyReceived(study, instance.Attribute("PatientID"), instance.Attribute("AccessionNumber"), instance.CallingAeTitle, instance.ReceivedAt);
        _studyIndex[study] = _studies.Count;
        _studies.Add(fact);
        return fact;
    }

    /// <summary>Keeps <see cref="_byStudy"/> and the change order up to date with a new latest version of
    /// <paramref name="sopInstanceUid"/>, which belonged to <paramref name="previousStudy"/> (null: it is new here). An
    /// instance without a Study Instance UID belongs to no study.</summary>
    private void IndexByStudy(string sopInstanceUid, string? previousStudy, string study)
    {
        if (previousStudy is { Length: > 0 } && previousStudy != study && _byStudy.TryGetValue(previousStudy, out var left))
        {
            left.Remove(sopInstanceUid);
            if (left.Count == 0)
            {
                _byStudy.Remove(previousStudy);
            }
            Changed(previousStudy);
        }
        if (study.Length == 0)
        {
            return;
        }
        if (previousStudy != study)
        {
            if (!_byStudy.TryGetValue(study, out var sops))
            {
                _byStudy[study] = sops = [];
            }
            sops.Add(sopInstanceUid);
        }
        Changed(study);
    }

    private void Changed(string study)
    {
        if (_changeNodes.TryGetValue(study, out var node))
        {
            _changeOrder.Remove(node);
        }
        _changeNodes[study] = _changeOrder.AddLast((study, ++_change));
    }
}
