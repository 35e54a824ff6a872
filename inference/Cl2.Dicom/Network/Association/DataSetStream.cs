using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Association;

/// <summary>
/// A data set as it arrives: a read-only stream over the data PDVs of one presentation context, which reads the next
/// PDU only when the consumer has used up the current one. <see cref="DrainAsync"/> discards what a consumer left
/// unread, so the association is positioned at the next message.
/// </summary>
public sealed class DataSetStream : Stream
{
    private readonly AssociationChannel _channel;
    private readonly byte _contextId;
    private ReadOnlyMemory<byte> _current;
    private bool _ended;
    private long _position;

    internal DataSetStream(AssociationChannel channel, byte contextId)
    {
        _channel = channel;
        _contextId = contextId;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("a data set's length is known only once it has arrived");

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (_ended)
            {
                return 0;
            }
            var (pdv, other) = await _channel.NextAsync("data set fragment", cancellationToken);
            if (other is not null)
            {
                throw new UnexpectedPduException(other.Type, "inside a data set");
            }
            if (pdv.IsCommand || pdv.PresentationContextId != _contextId)
            {
                throw new DimseProtocolException(
                    $"{(pdv.IsCommand ? "command" : "data")} fragment on context {pdv.PresentationContextId} inside a data set on context {_contextId}");
            }
            _current = pdv.Data;
            _ended = pdv.IsLastFragment;
        }
        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Synchronous reads block on the network; providers should prefer the async API.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Reads and discards the rest of the data set.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = new byte[16 * 1024];
        while (await ReadAsync(scratch, cancellationToken) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
