using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Cl2.Inference.Ingest;

/// <summary>Where an instance's Part 10 bytes are: pack number, offset of the first byte in it, length.</summary>
public sealed record PackLocation(int Pack, long Offset, long Length);

/// <summary>An instance to make durable: its index record and its Part 10 bytes, in memory or in a spool file.</summary>
internal readonly record struct PackEntry(StoredInstance Record, ReadOnlyMemory<byte> Part10Bytes, InstanceSpool? Spool = null)
{
    public long Length => Spool?.Length ?? Part10Bytes.Length;
}

/// <summary>
/// The durable store's files: numbered packs (<c>packs/000001.pack</c>, ...), each filled with zeros and synced when
/// created, then filled front to back with records <c>[header | index record (JSON) | Part 10 bytes]</c>. A group
/// commit writes its batch's records with one gathered write over the zeros and makes instance bytes and index records
/// durable together with one fdatasync: overwriting blocks that are allocated and written changes no metadata that a
/// read needs, so the sync is a data write without a file system journal commit (an append, or a write into
/// fallocate'd space, needs one).
/// <para>
/// Replay reads each pack's records up to the first header that is zero or fails its checksum. Before the next pack is
/// used, the full one is sealed (a seal record, synced), so only unsealed packs, in practice the last one after a crash
/// or a kill, can end in a torn commit: their records' bytes are checked against their content address (SHA-256) and
/// the first mismatch ends the pack. At start every unsealed pack is cut to its valid end and sealed, and writing goes
/// on in a new pack, so whatever a dead commit left behind is never read again.
/// </para>
/// </summary>
internal sealed class InstancePacks : IDisposable
{
    /// <summary>A pack's size unless one instance needs more: ~1,600 small CT instances.</summary>
    public const long DefaultPackLength = 64L * 1024 * 1024;

    private const uint RecordMagic = 0x5232_4C43; // "CL2R"
    private const uint SealMagic = 0x5332_4C43; // "CL2S"
    private const int HeaderLength = 32;
    private const int ChecksumOffset = 16;
    private const int ChecksumLength = 16;
    private const int ZeroChunk = 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _folder;
    private readonly long _packLength;
    private Pack _active;
    private Task<Pack>? _next;
    private bool _activeFailed;
    private int _lastNumber;

    private InstancePacks(string folder, long packLength, Pack active)
    {
        _folder = folder;
        _packLength = packLength;
        _active = active;
        _lastNumber = active.Number;
    }

    private sealed class Pack(int number, string path, SafeFileHandle file, long length) : IDisposable
    {
        public int Number { get; } = number;
        public string Path { get; } = path;
        public SafeFileHandle File { get; } = file;
        public long Length { get; } = length;
        public long Position { get; set; }

        public void Dispose() => File.Dispose();
    }

    /// <summary>Replays the packs in <paramref name="folder"/>, cuts and seals unsealed ones, and opens a new pack to write
    /// to. Returns the durable records in commit order and how many bytes of torn commits were cut off.</summary>
    public static (InstancePacks Packs, List<(StoredInstance Record, PackLocation Location)> Replayed, long CutBytes) Open(string folder,
        long packLength = DefaultPackLength)
    {
        Directory.CreateDirectory(folder);
        var replayed = new List<(StoredInstance, PackLocation)>();
        var cut = 0L;
        var numbers = Numbers(folder);
        foreach (var number in numbers)
        {
            var path = PathOf(folder, number);
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            var (records, end, isSealed) = ReadRecords(file, number);
            if (isSealed)
            {
                replayed.AddRange(records.Select(record => (record.Record, record.Location)));
                continue;
            }
            var verified = records.TakeWhile(record => HasItsContent(file, record.Location, record.Record.Digest)).ToList();
            var validEnd = verified.Count == records.Count ? end : records[verified.Count].Start;
            cut += NonZeroBytesAfter(file, validEnd);
            replayed.AddRange(verified.Select(record => (record.Record, record.Location)));
            if (verified.Count == 0)
            {
                File.Delete(path); // never held a durable record: a pack prepared ahead, or one whose first commit died
                continue;
            }
            RandomAccess.SetLength(file, validEnd + HeaderLength);
            RandomAccess.Write(file, Header(SealMagic, [], 0), validEnd);
            Fsync.File(file, path);
        }
        Fsync.Directory(folder);
        var packs = new InstancePacks(folder, packLength, Create(folder, (numbers.Count == 0 ? 0 : numbers[^1]) + 1, packLength));
        return (packs, replayed, cut);
    }

    /// <summary>Writes the records and returns once they are durable (or throws: then none of them counts). Not thread-safe:
    /// the store's group commit calls it one batch at a time.</summary>
    public List<PackLocation> Append(IReadOnlyList<PackEntry> entries)
    {
        var locations = new List<PackLocation>(entries.Count);
        var buffers = new List<Piece>(2 * entries.Count);
        try
        {
            if (_activeFailed)
            {
                // The failed pack's state past its last good commit is unknown: leave it unsealed (replay checks it) and
                // go on in a fresh one.
                SwitchTo(TakeNext(0));
                _activeFailed = false;
            }
            var start = _active.Position;
            var position = start;
            foreach (var entry in entries)
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(entry.Record, Json);
                var length = HeaderLength + json.Length + entry.Length;
                if (position + length + HeaderLength > _active.Length)
                {
                    WriteAndSync(buffers, start, position);
                    Seal();
                    SwitchTo(TakeNext(length + HeaderLength));
                    start = position = 0;
                }
                var head = new byte[HeaderLength + json.Length];
                Header(RecordMagic, json, entry.Length).CopyTo(head, 0);
                json.CopyTo(head, HeaderLength);
                buffers.Add(new Piece(head, null));
                buffers.Add(new Piece(entry.Part10Bytes, entry.Spool));
                locations.Add(new PackLocation(_active.Number, position + head.Length, entry.Length));
                position += length;
            }
            WriteAndSync(buffers, start, position);
            if (_next is null && _active.Position > _active.Length / 2)
            {
                var number = ++_lastNumber;
                _next = Task.Run(() => Create(_folder, number, _packLength));
            }
            return locations;
        }
        catch
        {
            _activeFailed = true;
            throw;
        }
    }

    /// <summary>The Part 10 bytes at <paramref name="location"/>, from <paramref name="skip"/> bytes in.</summary>
    public Stream Read(PackLocation location, long skip) =>
        new PackSlice(File.OpenHandle(PathOf(_folder, location.Pack), FileMode.Open, FileAccess.Read, FileShare.ReadWrite),
            location.Offset + skip, location.Length - skip);

    public void Dispose()
    {
        _active.Dispose();
        // Wait for a pack still being prepared: a store opened on this folder next (a restart in the same process) must
        // find it finished, not have it appear under the number it picks for its own new pack.
        try
        {
            _next?.GetAwaiter().GetResult().Dispose();
        }
        catch (IOException)
        {
            // It could not be prepared; it holds no record, and replay deletes what is left of it.
        }
        _next = null;
    }

    /// <summary>Bytes in memory, or (when <see cref="Spool"/> is set) the bytes of a spool file.</summary>
    private readonly record struct Piece(ReadOnlyMemory<byte> Bytes, InstanceSpool? Spool);

    /// <summary>One gathered write per run of in-memory pieces, a chunked copy per spooled one, then one sync for all.</summary>
    private void WriteAndSync(List<Piece> buffers, long start, long end)
    {
        if (buffers.Count == 0)
        {
            return;
        }
        var gathered = new List<ReadOnlyMemory<byte>>(buffers.Count);
        var position = start;
        foreach (var piece in buffers)
        {
            if (piece.Spool is null)
            {
                gathered.Add(piece.Bytes);
                continue;
            }
            position = WriteGathered(gathered, position);
            CopySpool(piece.Spool, position);
            position += piece.Spool.Length;
        }
        WriteGathered(gathered, position);
        Fsync.Data(_active.File, _active.Path);
        _active.Position = end;
        buffers.Clear();
    }

    private long WriteGathered(List<ReadOnlyMemory<byte>> gathered, long position)
    {
        RandomAccess.Write(_active.File, gathered, position);
        position += gathered.Sum(bytes => (long)bytes.Length);
        gathered.Clear();
        return position;
    }

    private void CopySpool(InstanceSpool spool, long position)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ZeroChunk);
        try
        {
            for (var done = 0L; done < spool.Length;)
            {
                var read = RandomAccess.Read(spool.File, chunk.AsSpan(0, (int)Math.Min(ZeroChunk, spool.Length - done)), done);
                if (read == 0)
                {
                    throw new IOException($"spool file {spool.Path} ended after {done} of {spool.Length} bytes");
                }
                RandomAccess.Write(_active.File, chunk.AsSpan(0, read), position + done);
                done += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void Seal()
    {
        RandomAccess.Write(_active.File, Header(SealMagic, [], 0), _active.Position);
        Fsync.Data(_active.File, _active.Path);
    }

    private void SwitchTo(Pack next)
    {
        _active.Dispose();
        _active = next;
    }

    /// <summary>The pack prepared in the background if it is large enough, else a new one of the size needed.</summary>
    private Pack TakeNext(long needed)
    {
        var preparing = _next;
        _next = null;
        var prepared = preparing?.GetAwaiter().GetResult();
        if (prepared is not null && prepared.Length >= needed)
        {
            return prepared;
        }
        prepared?.Dispose(); // left empty: replay finds no records in it and deletes it
        return Create(_folder, ++_lastNumber, Math.Max(_packLength, RoundUp(needed)));
    }

    private static Pack Create(string folder, int number, long length)
    {
        var path = PathOf(folder, number);
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var zeros = new byte[ZeroChunk];
            for (var offset = 0L; offset < length; offset += ZeroChunk)
            {
                RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(ZeroChunk, length - offset)), offset);
            }
            Fsync.File(file, path);
            Fsync.Directory(folder);
            return new Pack(number, path, file, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private readonly record struct ReadRecord(StoredInstance Record, PackLocation Location, long Start);

    private static (List<ReadRecord> Records, long End, bool Sealed) ReadRecords(SafeFileHandle file, int number)
    {
        var records = new List<ReadRecord>();
        var length = RandomAccess.GetLength(file);
        var header = new byte[HeaderLength];
        var position = 0L;
        while (position + HeaderLength <= length && RandomAccess.Read(file, header, position) == HeaderLength)
        {
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var jsonLength = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            var dataLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
            if (magic is not (RecordMagic or SealMagic) || jsonLength > length || dataLength < 0 || position + HeaderLength + jsonLength + dataLength > length)
            {
                break;
            }
            var json = new byte[jsonLength];
            if (RandomAccess.Read(file, json, position + HeaderLength) != json.Length || !Header(magic, json, dataLength).AsSpan().SequenceEqual(header))
            {
                break;
            }
            if (magic == SealMagic)
            {
                return (records, position, true);
            }
            StoredInstance? record;
            try
            {
                record = JsonSerializer.Deserialize<StoredInstance>(json, Json);
            }
            catch (JsonException)
            {
                break;
            }
            if (record is null || record.Length != dataLength)
            {
                break;
            }
            var dataStart = position + HeaderLength + jsonLength;
            records.Add(new ReadRecord(record, new PackLocation(number, dataStart, dataLength), position));
            position = dataStart + dataLength;
        }
        return (records, position, false);
    }

    private static bool HasItsContent(SafeFileHandle file, PackLocation location, string digest)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ZeroChunk);
        try
        {
            for (var done = 0L; done < location.Length;)
            {
                var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, location.Length - done)), location.Offset + done);
                if (read == 0)
                {
                    return false;
                }
                hash.AppendData(buffer, 0, read);
                done += read;
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset()) == digest;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>How many bytes after <paramref name="end"/> are not zero: what a torn commit left (for the log).</summary>
    private static long NonZeroBytesAfter(SafeFileHandle file, long end)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ZeroChunk);
        try
        {
            var count = 0L;
            for (var position = end; ;)
            {
                var read = RandomAccess.Read(file, buffer.AsSpan(0, ZeroChunk), position);
                if (read == 0)
                {
                    return count;
                }
                count += read - buffer.AsSpan(0, read).Count((byte)0);
                position += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>magic, JSON length, data length, and the first 16 bytes of the SHA-256 of those 16 bytes and the JSON.</summary>
    private static byte[] Header(uint magic, ReadOnlySpan<byte> json, long dataLength)
    {
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)json.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), dataLength);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header.AsSpan(0, ChecksumOffset));
        hash.AppendData(json);
        Span<byte> sum = stackalloc byte[32];
        hash.GetHashAndReset(sum);
        sum[..ChecksumLength].CopyTo(header.AsSpan(ChecksumOffset));
        return header;
    }

    private static long RoundUp(long length) => (length + ZeroChunk - 1) / ZeroChunk * ZeroChunk;

    private static string PathOf(string folder, int number) => Path.Combine(folder, number.ToString("D6", CultureInfo.InvariantCulture) + ".pack");

    private static List<int> Numbers(string folder) =>
        Directory.EnumerateFiles(folder, "*.pack")
            .Select(path => int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1)
            .Where(number => number >= 0)
            .Order()
            .ToList();
}
