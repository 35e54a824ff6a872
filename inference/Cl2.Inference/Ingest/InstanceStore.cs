using Cl2.Inference.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Ingest;

/// <summary>An instance received and parsed, not yet durable: its Part 10 bytes, their SHA-256 (lower-case hex) and the
/// attributes to index.</summary>
public sealed record IncomingInstance(
    ReadOnlyMemory<byte> Part10Bytes,
    string Digest,
    long DataSetOffset,
    string SopClassUid,
    string SopInstanceUid,
    string TransferSyntaxUid,
    string CallingAeTitle,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// The durable ingest store. An instance is durable when its blob (content-addressed by the SHA-256 of its Part 10
/// bytes) is written and fsync'd, its directory is fsync'd and its index record is in the fsync'd journal.
/// <see cref="StoreAsync"/> returns only then. Blobs are written and synced by the storing association; then every
/// waiting instance is made durable together (group commit: one directory sync per touched directory and one journal
/// write + fsync per batch), so concurrent associations share the cost. The commit runs on the thread of the first
/// association that finds no commit running (the leader); those arriving meanwhile queue and are committed by it in the
/// next batch. One association alone thus commits on its own thread: no hand-off to a writer thread and back, which on a
/// loaded machine costs more than the fsyncs.
/// </summary>
public sealed class InstanceStore(IOptions<InferenceOptions> inference, IOptions<ListenerOptions> listener, TimeProvider time,
    ILogger<InstanceStore> logger) : IHostedService, IDisposable
{
    private sealed record PendingCommit(StoredInstance Instance, TaskCompletionSource<StoreOutcome> Done);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredInstance> _byDigest = [];
    private readonly Dictionary<string, List<StoredInstance>> _versions = [];
    private readonly Dictionary<string, Task<StoreOutcome>> _inFlight = [];
    private readonly List<StudyReceived> _studies = [];
    private readonly Dictionary<string, int> _studyIndex = [];
    private readonly Lock _queueGate = new();
    private readonly Queue<PendingCommit> _queue = [];
    private bool _committing;
    private IngestJournal? _journal;
    private long _duplicates;
    private long _newVersions;

    /// <summary>Raised after the commit that made a study's first instance durable.</summary>
    public event EventHandler<StudyReceived>? StudyReceived;

    public string Folder { get; } = Path.Combine(Path.GetFullPath(inference.Value.StoragePath), "dicom");

    public long DuplicatesReceived => Interlocked.Read(ref _duplicates);

    public long NewVersionsReceived => Interlocked.Read(ref _newVersions);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var blobs = Path.Combine(Folder, "blobs");
        Directory.CreateDirectory(blobs);
        for (var fan = 0; fan < 256; fan++)
        {
            Directory.CreateDirectory(Path.Combine(blobs, fan.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
        Fsync.Directory(blobs);
        Fsync.Directory(Folder);
        var (journal, replayed, dropped) = IngestJournal.Open(Path.Combine(Folder, "index.journal"));
        _journal = journal;
        Fsync.Directory(Folder);
        if (dropped > 0)
        {
            logger.LogWarning("Cut {Bytes} bytes of an unfinished commit off the end of the index journal; those instances were never acknowledged", dropped);
        }
        lock (_gate)
        {
            foreach (var instance in replayed)
            {
                Apply(instance);
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

    public void Dispose() => _journal?.Dispose();

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
        PendingCommit pending;
        try
        {
            // Synchronous on purpose: the caller's buffer is used only before this method first yields, and an async
            // write to a file opened without FileOptions.Asynchronous is only a blocking write moved to another thread.
            // Rewriting a blob the journal does not know is safe: it is the leftover of a commit that never finished.
            using (var blob = new FileStream(Path.Combine(Folder, StoredInstance.BlobPath(digest)), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                blob.Write(incoming.Part10Bytes.Span);
                blob.Flush(flushToDisk: true);
            }
            var instance = new StoredInstance(digest, 0, incoming.SopClassUid, incoming.SopInstanceUid, incoming.TransferSyntaxUid,
                incoming.Part10Bytes.Length, incoming.DataSetOffset, incoming.CallingAeTitle, time.GetUtcNow(), incoming.Attributes);
            pending = new PendingCommit(instance, done);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _inFlight.Remove(digest);
            }
            done.TrySetException(e);
            return await done.Task;
        }
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
        return await done.Task.WaitAsync(cancellationToken);
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

    public Stream OpenDataSet(StoredInstance instance)
    {
        var file = new FileStream(Path.Combine(Folder, StoredInstance.BlobPath(instance.Digest)), FileMode.Open, FileAccess.Read, FileShare.Read,
            64 * 1024, FileOptions.SequentialScan);
        file.Position = instance.DataSetOffset;
        return file;
    }

    private void Commit(List<PendingCommit> batch)
    {
        foreach (var directory in batch.Select(pending => Path.GetDirectoryName(Path.Combine(Folder, StoredInstance.BlobPath(pending.Instance.Digest)))!).Distinct())
        {
            Fsync.Directory(directory);
        }
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
        _journal!.Append(records);
        var newStudies = new List<StudyReceived>();
        lock (_gate)
        {
            foreach (var record in records)
            {
                if (Apply(record) is { } study)
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
    private StudyReceived? Apply(StoredInstance instance)
    {
        _byDigest[instance.Digest] = instance;
        if (!_versions.TryGetValue(instance.SopInstanceUid, out var versions))
        {
            _versions[instance.SopInstanceUid] = versions = [];
        }
        versions.Add(instance);
        var study = instance.StudyInstanceUid;
        if (study.Length == 0 || _studyIndex.ContainsKey(study))
        {
            return null;
        }
        var fact = new StudyReceived(study, instance.Attribute("PatientID"), instance.Attribute("AccessionNumber"), instance.CallingAeTitle, instance.ReceivedAt);
        _studyIndex[study] = _studies.Count;
        _studies.Add(fact);
        return fact;
    }
}
