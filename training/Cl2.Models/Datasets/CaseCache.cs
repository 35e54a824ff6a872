using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Cl2.Models.Datasets;

/// <summary>
/// Prepared cases by key, as MONAI's PersistentDataset with a bounded RAM cache in front: a case is prepared (read from
/// its source and preprocessed) once, written to <c>directory/&lt;key&gt;.case</c> (<see cref="CaseFile"/>), and from
/// then on read from there, by later epochs and by later jobs. The key must change whenever the case's data or the
/// preprocessing does (the caller hashes instances, label revision and settings into it). At most
/// <c>memoryBytes</c> of cases stay in RAM (least recently used leave first), so memory does not grow with the number
/// of cases. With a <c>diskBytes</c> bound, writing a case deletes the least recently used case files beyond it (a
/// file's write time is its last use: reads touch it); a deleted case that is asked for again is prepared again.
/// Safe to use from several loader threads.
/// </summary>
/// <param name="diskBytes">The most the case files may take on disk; 0 keeps every file.</param>
public sealed class CaseCache(string directory, long memoryBytes, long diskBytes = 0) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Lock _diskGate = new();
    private DateTime _lastUse = DateTime.MinValue;
    private readonly LinkedList<(string Key, PreparedCase Case)> _recent = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, PreparedCase Case)>> _inMemory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lock> _preparing = new(StringComparer.Ordinal);
    private long _heldBytes;
    private int _prepared;
    private int _diskReads;

    public string Directory { get; } = directory;

    /// <summary>Cases prepared from their source (read from the archive or the files) by this cache.</summary>
    public int Prepared => Volatile.Read(ref _prepared);

    /// <summary>Cases read from the disk cache.</summary>
    public int DiskReads => Volatile.Read(ref _diskReads);

    public bool Contains(string key) => File.Exists(PathOf(key));

    /// <summary>A cached case's image shape (C×spatial) and spacing, from its file's header.</summary>
    public (long[] Shape, IReadOnlyList<double> Spacing) Describe(string key) => CaseFile.ReadHeader(PathOf(key));

    /// <summary>
    /// Prepares the case into the disk cache unless it is there already, without keeping it in memory (a job does
    /// this once per case before training, so it learns early which cases cannot be used).
    /// </summary>
    /// <returns>True when the case had to be prepared.</returns>
    public bool Ensure(string key, Func<PreparedCase> prepare)
    {
        var path = PathOf(key);
        if (Touch(path))
        {
            return false;
        }
        lock (_preparing.GetOrAdd(key, _ => new Lock()))
        {
            if (File.Exists(path))
            {
                return false;
            }
            using var scope = NewDisposeScope();
            using var item = prepare();
            CaseFile.Write(path, item);
            Interlocked.Increment(ref _prepared);
            Touch(path);
            Prune(keep: path);
            return true;
        }
    }

    /// <summary>
    /// The case with <paramref name="key"/>: from RAM, else from disk, else prepared (and written to disk). The caller
    /// gets its own view of the tensors and disposes it; the cache keeps its copy until it is evicted.
    /// </summary>
    public PreparedCase Get(string key, Func<PreparedCase> prepare)
    {
        lock (_gate)
        {
            if (_inMemory.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                return View(node.Value.Case);
            }
        }
        var item = ReadFromDisk(key, prepare);
        Interlocked.Increment(ref _diskReads);
        lock (_gate)
        {
            if (item.Bytes > memoryBytes || _inMemory.ContainsKey(key))
            {
                return item;
            }
            // Held past the caller's dispose scope: the cache disposes it when it is evicted.
            item.Image.DetachFromDisposeScope();
            item.Target.DetachFromDisposeScope();
            _inMemory[key] = _recent.AddFirst((key, item));
            _heldBytes += item.Bytes;
            while (_heldBytes > memoryBytes && _recent.Last is { } oldest)
            {
                _recent.RemoveLast();
                _inMemory.Remove(oldest.Value.Key);
                _heldBytes -= oldest.Value.Case.Bytes;
                oldest.Value.Case.Dispose();
            }
            return View(item);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (_, item) in _recent)
            {
                item.Dispose();
            }
            _recent.Clear();
            _inMemory.Clear();
            _heldBytes = 0;
        }
    }

    private string PathOf(string key) => Path.Combine(Directory, key + ".case");

    private PreparedCase ReadFromDisk(string key, Func<PreparedCase> prepare)
    {
        while (true)
        {
            Ensure(key, prepare);
            try
            {
                return CaseFile.Read(PathOf(key));
            }
            catch (FileNotFoundException) when (diskBytes > 0)
            {
                // Pruned by another thread between Ensure and the read: prepare it again.
            }
        }
    }

    /// <summary>Marks the file as just used (its write time orders pruning); false when it does not exist.</summary>
    private bool Touch(string path)
    {
        if (diskBytes <= 0)
        {
            return File.Exists(path);
        }
        lock (_diskGate)
        {
            // Strictly increasing, so uses within one clock tick keep their order.
            var now = DateTime.UtcNow;
            _lastUse = now > _lastUse ? now : _lastUse.AddTicks(TimeSpan.TicksPerMillisecond);
            try
            {
                File.SetLastWriteTimeUtc(path, _lastUse);
                return true;
            }
            catch (FileNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Deletes the least recently used case files until the rest fit <c>diskBytes</c>; never <paramref name="keep"/>.</summary>
    private void Prune(string keep)
    {
        if (diskBytes <= 0)
        {
            return;
        }
        lock (_diskGate)
        {
            var files = new DirectoryInfo(Directory).GetFiles("*.case").OrderBy(file => file.LastWriteTimeUtc).ToList();
            var total = files.Sum(file => file.Length);
            foreach (var file in files.Where(file => file.FullName != Path.GetFullPath(keep)))
            {
                if (total <= diskBytes)
                {
                    break;
                }
                var length = file.Length;
                file.Delete();
                total -= length;
            }
        }
    }

    // Aliases share the cached storage (read only here), so a cache hit copies nothing.
    private static PreparedCase View(PreparedCase item) => new(item.Image.alias(), item.Target.alias(), item.Spacing);
}
