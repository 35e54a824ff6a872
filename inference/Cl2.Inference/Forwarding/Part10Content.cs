using Cl2.Inference.Ingest;

namespace Cl2.Inference.Forwarding;

/// <summary>
/// A stored instance's Part 10 bytes, read from the store: the File Meta Information the listener put before the data
/// set (it depends only on the instance's UIDs and transfer syntax) followed by the data set. These are the bytes the
/// store's content address is the SHA-256 of, so the archive gets exactly what the listener acknowledged.
/// </summary>
public sealed class Part10Content(StoredInstance instance, InstanceStore store) : Stream
{
    private readonly byte[] _meta = Part10.FileMetaInformation(instance.SopClassUid, instance.SopInstanceUid, instance.TransferSyntaxUid);
    private Stream? _dataSet;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => instance.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        if (_position < _meta.Length)
        {
            read = Math.Min(buffer.Length, _meta.Length - (int)_position);
            _meta.AsSpan((int)_position, read).CopyTo(buffer);
        }
        else
        {
            read = DataSet().Read(buffer[..Remaining(buffer.Length)]);
        }
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < _meta.Length)
        {
            return Read(buffer.Span);
        }
        var read = await DataSet().ReadAsync(buffer[..Remaining(buffer.Length)], cancellationToken);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dataSet?.Dispose();
        }
        base.Dispose(disposing);
    }

    // The data set ends at the instance's length even where the store keeps more behind it (a pack file).
    private int Remaining(int wanted) => (int)Math.Min(wanted, instance.Length - _position);

    private Stream DataSet() => _dataSet ??= store.OpenDataSet(instance);
}
