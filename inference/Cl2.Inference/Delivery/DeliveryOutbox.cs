using System.Security.Cryptography;
using Cl2.Dicom.Network.Client;
using Cl2.Inference.Ingest;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Delivery;

/// <summary>
/// The durable outbox of result objects. <see cref="EnqueueAsync(Guid, string, string, IReadOnlyList{byte[]}, CancellationToken)"/>
/// stores each object once by content (<c>delivery/objects/SHA-256</c>, synced) and writes one delivery per configured
/// destination to the journal (synced) before it returns; the <see cref="DeliverySender"/> sends them. Every send of a
/// delivery sends the same stored bytes, so a receiver that already has an object gets the same SOP instance again and
/// keeps one. An XNAT destination's objects carry its routing text: that copy is made and stored when the delivery is
/// queued, so its re-sends are the same bytes too.
/// </summary>
public sealed class DeliveryOutbox(IOptions<InferenceOptions> inference, IOptions<DeliveryOptions> options, TimeProvider time,
    ILogger<DeliveryOutbox> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OutboxDelivery> _deliveries = [];
    private OutboxJournal? _journal;

    /// <summary>Delivered deliveries whose lines the journal still holds.</summary>
    private int _deliveredInJournal;

    public string Folder { get; } = Path.Combine(Path.GetFullPath(inference.Value.StoragePath), "delivery");

    private string ObjectFolder => Path.Combine(Folder, "objects");

    /// <summary>
    /// Hands a result's Part 10 objects (DICOM SEG, SR …) to every configured destination. When this returns, the objects
    /// and the deliveries are on disk: a crash after it loses nothing. Handing over the same result again adds nothing
    /// (a delivery is the result's and the destination's). Returns the deliveries' ids. The processing loop calls it before
    /// it records the result in labeling, with the id it records it under (<paramref name="resultId"/>): a recorded result
    /// always has its deliveries, and a delivery's outcome waits to be recorded until labeling knows the result.
    /// </summary>
    /// <exception cref="InvalidDataException">An object is not a Part 10 file with the three UIDs of its meta group.</exception>
    /// <param name="callingAeTitle">The AE that sent the study: the SendingPacs destination sends the result back to it.</param>
    public Task<IReadOnlyList<string>> EnqueueAsync(Guid resultId, string studyInstanceUid, string callingAeTitle, IReadOnlyList<byte[]> part10Objects,
        CancellationToken cancellationToken)
    {
        if (part10Objects.Count == 0)
        {
            throw new ArgumentException("a result to deliver has at least one object", nameof(part10Objects));
        }
        return EnqueueCoreAsync(resultId, studyInstanceUid, callingAeTitle, part10Objects, cancellationToken);
    }

    /// <summary>As <see cref="EnqueueAsync(Guid, string, string, IReadOnlyList{byte[]}, CancellationToken)"/>, the objects read from Part 10 files.</summary>
    public async Task<IReadOnlyList<string>> EnqueueAsync(Guid resultId, string studyInstanceUid, string callingAeTitle, IReadOnlyList<string> part10Files,
        CancellationToken cancellationToken)
    {
        var objects = new List<byte[]>(part10Files.Count);
        foreach (var file in part10Files)
        {
            objects.Add(await File.ReadAllBytesAsync(file, cancellationToken));
        }
        return await EnqueueAsync(resultId, studyInstanceUid, callingAeTitle, objects, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> EnqueueCoreAsync(Guid resultId, string studyInstanceUid, string callingAeTitle, IReadOnlyList<byte[]> part10Objects,
        CancellationToken cancellationToken)
    {
        var originals = new List<(byte[] Bytes, OutboxObject Object)>();
        foreach (var bytes in part10Objects)
        {
            originals.Add((bytes, await DescribeAsync(bytes, cancellationToken)));
        }
        var now = time.GetUtcNow();
        var ids = new List<string>();
        foreach (var destination in options.Value.Destinations)
        {
            var id = OutboxDelivery.IdOf(resultId, destination.Name);
            ids.Add(id);
            if (Find(id) is not null)
            {
                continue;
            }
            var (objects, calledAeTitle, routingError) = destination.Kind == DeliveryKind.Xnat
                ? await RouteToXnatAsync(destination, originals, cancellationToken)
                : (await StoreAllAsync(originals, cancellationToken), destination.CalledAeTitle.Trim() is { Length: > 0 } called ? called : null, null);
            lock (_gate)
            {
                EnsureOpen();
                if (_deliveries.ContainsKey(id))
                {
                    continue;
                }
                Write(new OutboxLine(OutboxLine.Queued, id, now, resultId, destination.Name, studyInstanceUid, callingAeTitle.Trim(), calledAeTitle, objects));
                if (routingError is not null)
                {
                    Write(new OutboxLine(OutboxLine.Dead, id, now, Attempt: 1, Error: routingError));
                }
            }
            if (routingError is not null)
            {
                logger.LogError("Result {ResultId} of study {StudyInstanceUid} cannot go to {Destination} and is dead-lettered: {Error}",
                    resultId, studyInstanceUid, destination.Name, routingError);
            }
        }
        Queued?.Invoke();
        return ids;
    }

    /// <summary>Raised after new deliveries are written, so the sender starts at once.</summary>
    internal event Action? Queued;

    /// <summary>Every delivery not yet delivered, oldest first.</summary>
    public IReadOnlyList<OutboxDelivery> Undelivered()
    {
        lock (_gate)
        {
            EnsureOpen();
            return _deliveries.Values.Where(delivery => delivery.State != OutboxState.Delivered).OrderBy(delivery => delivery.QueuedAt).ToList();
        }
    }

    public OutboxDelivery? Find(string id)
    {
        lock (_gate)
        {
            EnsureOpen();
            return _deliveries.GetValueOrDefault(id);
        }
    }

    /// <summary>Where an object of a delivery lies (synced, never changed).</summary>
    public string ObjectPath(OutboxObject stored) => Path.Combine(ObjectFolder, stored.Digest + ".dcm");

    /// <summary>The destination has the objects; labeling is told next (until then a restart sends them again).</summary>
    internal void MarkSent(string id, DateTimeOffset now) => Update(id, delivery => delivery with
    {
        State = OutboxState.Sent,
        Attempts = delivery.Attempts + 1,
        LastAttemptAt = now,
    });

    /// <summary>An attempt failed: the delivery waits (<see cref="RetryDelay"/>), or is dead-lettered after MaxAttempts in a row.</summary>
    internal OutboxDelivery MarkFailed(string id, string error, DateTimeOffset now)
    {
        lock (_gate)
        {
            var delivery = _deliveries[id];
            var dead = delivery.FailuresInRow + 1 >= options.Value.MaxAttempts;
            Write(new OutboxLine(dead ? OutboxLine.Dead : OutboxLine.Failed, id, now, Attempt: delivery.Attempts + 1, Error: error));
            return _deliveries[id] = _deliveries[id] with { NextAttemptAt = now + RetryDelay(delivery.FailuresInRow + 1, Random.Shared.NextDouble()) };
        }
    }

    /// <summary>Labeling recorded the delivery: it is done, and objects no other delivery still needs are deleted. The
    /// journal is compacted once it holds <see cref="DeliveryOptions.CompactJournalAfter"/> delivered deliveries.</summary>
    internal void MarkDelivered(string id, DateTimeOffset now)
    {
        List<OutboxObject> unneeded;
        lock (_gate)
        {
            Write(new OutboxLine(OutboxLine.Delivered, id, now, Attempt: _deliveries[id].Attempts));
            var needed = _deliveries.Values.Where(delivery => delivery.State != OutboxState.Delivered)
                .SelectMany(delivery => delivery.Objects).Select(stored => stored.Digest).ToHashSet();
            unneeded = _deliveries[id].Objects.Where(stored => !needed.Contains(stored.Digest)).ToList();
            CompactIfDue();
        }
        foreach (var stored in unneeded)
        {
            File.Delete(ObjectPath(stored));
        }
    }

    internal void MarkReported(string id, int attempt, DateTimeOffset now)
    {
        lock (_gate)
        {
            Write(new OutboxLine(OutboxLine.Reported, id, now, Attempt: attempt));
        }
    }

    /// <summary>An admin asked for another try of a dead-lettered delivery: it gets <see cref="DeliveryOptions.MaxAttempts"/> again.</summary>
    internal void Requeue(string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            Write(new OutboxLine(OutboxLine.Requeued, id, now));
        }
        Queued?.Invoke();
    }

    /// <summary>Routes a delivery again (an XNAT delivery whose routing failed when it was queued) and pins what it now sends.</summary>
    internal async Task<string?> RouteAgainAsync(OutboxDelivery delivery, DeliveryDestinationOptions destination, CancellationToken cancellationToken)
    {
        var originals = new List<(byte[] Bytes, OutboxObject Object)>();
        foreach (var stored in delivery.Objects)
        {
            originals.Add((await File.ReadAllBytesAsync(ObjectPath(stored), cancellationToken), stored));
        }
        var (objects, calledAeTitle, error) = await RouteToXnatAsync(destination, originals, cancellationToken);
        if (error is null)
        {
            lock (_gate)
            {
                Write(new OutboxLine(OutboxLine.Queued, delivery.Id, delivery.QueuedAt, delivery.ResultId, delivery.Destination, delivery.StudyInstanceUid,
                    delivery.CallingAeTitle, calledAeTitle, objects));
            }
        }
        return error;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _journal?.Dispose();
            _journal = null;
        }
    }

    private async Task<(IReadOnlyList<OutboxObject> Objects, string? CalledAeTitle, string? Error)> RouteToXnatAsync(
        DeliveryDestinationOptions destination, IReadOnlyList<(byte[] Bytes, OutboxObject Object)> originals, CancellationToken cancellationToken)
    {
        var routed = new List<(byte[] Bytes, OutboxObject Object)>();
        var calledAeTitles = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var (bytes, original) in originals)
            {
                var (copy, calledAeTitle) = XnatRouting.Apply(destination, bytes);
                calledAeTitles.Add(calledAeTitle);
                routed.Add((copy, original with { Digest = Digest(copy) }));
            }
        }
        catch (XnatRoutingException e)
        {
            return (await StoreAllAsync(originals, cancellationToken), null, e.Message);
        }
        if (calledAeTitles.Count > 1)
        {
            return (await StoreAllAsync(originals, cancellationToken), null,
                $"{destination.Name}: the result's objects name different XNAT projects (called AE titles {string.Join(", ", calledAeTitles)}); one result goes to one project.");
        }
        return (await StoreAllAsync(routed, cancellationToken), calledAeTitles.Single(), null);
    }

    private async Task<IReadOnlyList<OutboxObject>> StoreAllAsync(IReadOnlyList<(byte[] Bytes, OutboxObject Object)> objects, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(ObjectFolder);
        var created = false;
        foreach (var (bytes, stored) in objects)
        {
            var path = ObjectPath(stored);
            if (File.Exists(path))
            {
                continue;
            }
            var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await file.WriteAsync(bytes, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            created = true;
        }
        if (created)
        {
            // The new names are durable only once their folder is synced: before the journal names them.
            Fsync.Directory(ObjectFolder);
        }
        return objects.Select(stored => stored.Object).ToList();
    }

    private static async Task<OutboxObject> DescribeAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var header = await Part10FileHeader.ReadAsync(new MemoryStream(bytes, writable: false), "a result object", cancellationToken);
        return new OutboxObject(Digest(bytes), header.MediaStorageSopInstanceUid);
    }

    private static string Digest(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private void Update(string id, Func<OutboxDelivery, OutboxDelivery> change)
    {
        lock (_gate)
        {
            _deliveries[id] = change(_deliveries[id]);
        }
    }

    /// <summary>Appends a line (synced) and applies it. Called under the lock.</summary>
    private void Write(OutboxLine line)
    {
        EnsureOpen();
        _journal!.Append(line);
        Apply(line);
    }

    private void EnsureOpen()
    {
        if (_journal is not null)
        {
            return;
        }
        var journal = new OutboxJournal(Path.Combine(Folder, "journal"));
        foreach (var line in journal.Open(unreadable => logger.LogWarning("Ignored a line of the delivery journal {Journal}: {Line}", journal.Path, unreadable)))
        {
            Apply(line);
        }
        _journal = journal;
        CompactIfDue();
    }

    /// <summary>
    /// Drops the delivered deliveries from the journal and from memory once there are enough of them. Every line of a
    /// delivery not yet delivered is kept as it was, so the journal read again gives each the same state: nothing pending
    /// is lost, nothing delivered is sent again. (A result handed over again after its delivery was dropped is delivered
    /// again, as the same objects.) Called under the lock.
    /// </summary>
    private void CompactIfDue()
    {
        if (_deliveredInJournal < options.Value.CompactJournalAfter)
        {
            return;
        }
        var delivered = _deliveries.Values.Where(delivery => delivery.State == OutboxState.Delivered).Select(delivery => delivery.Id).ToHashSet(StringComparer.Ordinal);
        _journal!.Compact(line => !delivered.Contains(line.Delivery));
        foreach (var id in delivered)
        {
            _deliveries.Remove(id);
        }
        logger.LogInformation("Compacted the delivery journal {Journal}: {Delivered} delivered deliveries dropped, {Kept} kept", _journal.Path, delivered.Count, _deliveries.Count);
        _deliveredInJournal = 0;
    }

    private void Apply(OutboxLine line)
    {
        if (line.Kind == OutboxLine.Queued)
        {
            var queued = new OutboxDelivery(line.Delivery, line.ResultId ?? Guid.Empty, line.Destination ?? "", line.StudyInstanceUid ?? "",
                line.CallingAeTitle ?? "", line.CalledAeTitle, line.Objects ?? [], line.At)
            {
                NextAttemptAt = line.At,
            };
            // A second queued line of a delivery re-pins its objects (routed again); its history stays.
            _deliveries[line.Delivery] = _deliveries.TryGetValue(line.Delivery, out var earlier)
                ? earlier with { CalledAeTitle = queued.CalledAeTitle, Objects = queued.Objects }
                : queued;
            return;
        }
        if (!_deliveries.TryGetValue(line.Delivery, out var delivery))
        {
            logger.LogWarning("The delivery journal names {Delivery}, which it never queued; ignored", line.Delivery);
            return;
        }
        if (line.Kind == OutboxLine.Delivered && delivery.State != OutboxState.Delivered)
        {
            _deliveredInJournal++;
        }
        _deliveries[line.Delivery] = line.Kind switch
        {
            OutboxLine.Failed or OutboxLine.Dead => delivery with
            {
                State = line.Kind == OutboxLine.Dead ? OutboxState.DeadLettered : OutboxState.Pending,
                Attempts = line.Attempt ?? delivery.Attempts + 1,
                FailuresInRow = delivery.FailuresInRow + 1,
                LastError = line.Error,
                LastAttemptAt = line.At,
                NextAttemptAt = line.At + RetryDelay(delivery.FailuresInRow + 1, jitter: 0),
            },
            OutboxLine.Reported => delivery with { ReportedAttempt = Math.Max(delivery.ReportedAttempt, line.Attempt ?? 0) },
            OutboxLine.Delivered => delivery with { State = OutboxState.Delivered, Attempts = line.Attempt ?? delivery.Attempts, LastAttemptAt = line.At },
            OutboxLine.Requeued => delivery with { State = OutboxState.Pending, FailuresInRow = 0, NextAttemptAt = line.At },
            _ => delivery,
        };
    }

    /// <summary>The wait after <paramref name="failures"/> failures in a row: doubling from FirstRetryDelay, capped, less a random share.</summary>
    public TimeSpan RetryDelay(int failures, double jitter)
    {
        var settings = options.Value;
        var doubled = settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = Math.Min(doubled, settings.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 - settings.RetryJitter * jitter));
    }
}
