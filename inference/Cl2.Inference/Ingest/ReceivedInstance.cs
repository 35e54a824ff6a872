using System.Buffers;
using System.Security.Cryptography;
using Cl2.Inference.Listener;
using Microsoft.Win32.SafeHandles;

namespace Cl2.Inference.Ingest;

/// <summary>Part 10 bytes waiting in a spool file (from offset 0), for an instance too large to hold in memory.</summary>
public sealed record InstanceSpool(SafeFileHandle File, string Path, long Length);

/// <summary>
/// One instance as it arrives over an association: our File Meta Information, then the data set, hashed as it comes.
/// It is held in one pooled buffer while it is at most <see cref="ListenerOptions.SpoolThreshold"/> long and the listener's
/// <see cref="ListenerMemoryBudget"/> covers it; past either, everything so far goes to a spool file and the rest is
/// written there as it arrives (as DCMTK's storescp does), so memory per association stays one small chunk. Disposing it
/// gives the memory back and deletes the spool file, whether the instance was stored or the association was aborted.
/// </summary>
internal sealed class ReceivedInstance : IDisposable
{
    private const int ChunkLength = 64 * 1024;

    /// <summary>Arrays larger than this go back to the GC instead of the shared pool, which would keep them after the
    /// association ended.</summary>
    private const int LargestPooledArray = 1024 * 1024;

    private readonly ListenerMemoryBudget _budget;
    private readonly string _spoolFolder;
    private readonly int _spoolThreshold;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer;
    private long _reserved;
    private InstanceSpool? _spool;

    public ReceivedInstance(byte[] meta, ListenerMemoryBudget budget, string spoolFolder, int spoolThreshold)
    {
        _budget = budget;
        _spoolFolder = spoolFolder;
        _spoolThreshold = spoolThreshold;
        _buffer = ArrayPool<byte>.Shared.Rent(meta.Length + ChunkLength);
        if (_budget.TryReserve(_buffer.Length))
        {
            _reserved = _buffer.Length;
        }
        meta.CopyTo(_buffer, 0);
        Length = meta.Length;
        _hash.AppendData(meta);
        if (_reserved == 0)
        {
            SpoolFromHere();
        }
    }

    public long Length { get; private set; }

    /// <summary>Where the bytes are when they were spooled; null while they are in <see cref="Memory"/>.</summary>
    public InstanceSpool? Spool => _spool is null ? null : _spool with { Length = Length };

    public ReadOnlyMemory<byte> Memory => _spool is null ? _buffer.AsMemory(0, (int)Length) : ReadOnlyMemory<byte>.Empty;

    /// <summary>Room for the next bytes off the association; <see cref="Advance"/> takes what was put there.</summary>
    public Memory<byte> GetWritable()
    {
        if (_spool is not null)
        {
            return _buffer.AsMemory(0, Math.Min(_buffer.Length, ChunkLength));
        }
        if (Length == _buffer.Length)
        {
            Grow();
        }
        return _spool is null ? _buffer.AsMemory((int)Length) : _buffer.AsMemory(0, Math.Min(_buffer.Length, ChunkLength));
    }

    public void Advance(int count)
    {
        if (_spool is not null)
        {
            _hash.AppendData(_buffer, 0, count);
            RandomAccess.Write(_spool.File, _buffer.AsSpan(0, count), Length);
        }
        else
        {
            _hash.AppendData(_buffer, (int)Length, count);
        }
        Length += count;
    }

    /// <summary>The SHA-256 of the Part 10 bytes (lower-case hex); call once, after the last <see cref="Advance"/>.</summary>
    public string Digest() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose()
    {
        ReturnBuffer();
        _spool?.File.Dispose(); // opened DeleteOnClose: the spool file goes with it
        _hash.Dispose();
    }

    /// <summary>Doubles the buffer while the threshold and the budget allow; otherwise moves to a spool file.</summary>
    private void Grow()
    {
        var size = (int)Math.Min(2L * _buffer.Length, Array.MaxLength);
        if (size > _spoolThreshold || !_budget.TryReserve(size))
        {
            SpoolFromHere();
            return;
        }
        var larger = size > LargestPooledArray ? GC.AllocateUninitializedArray<byte>(size) : ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, (int)Length).CopyTo(larger);
        ReturnBuffer();
        _buffer = larger;
        _reserved = size;
    }

    private void SpoolFromHere()
    {
        Directory.CreateDirectory(_spoolFolder);
        var path = System.IO.Path.Combine(_spoolFolder, $"{Guid.NewGuid():N}.part");
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.DeleteOnClose);
        try
        {
            RandomAccess.Write(file, _buffer.AsSpan(0, (int)Length), 0);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        _spool = new InstanceSpool(file, path, Length);
        if (_buffer.Length > 2 * ChunkLength)
        {
            ReturnBuffer();
            _buffer = ArrayPool<byte>.Shared.Rent(ChunkLength);
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length is > 0 and <= LargestPooledArray)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = [];
        _budget.Release(_reserved);
        _reserved = 0;
    }
}
