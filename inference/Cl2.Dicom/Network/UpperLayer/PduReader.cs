using System.Buffers.Binary;

namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>
/// Reads PDUs from a transport stream, one at a time, enforcing <see cref="DicomNetworkOptions"/>. It owns one body
/// buffer that is reused: a P-DATA-TF's PDVs are slices of it, valid until the next <see cref="ReadAsync"/>. That reuse
/// is also the back-pressure: nothing more is read from the socket until the consumer asks for the next PDU.
/// </summary>
public sealed class PduReader(Stream stream, DicomNetworkOptions options)
{
    private readonly byte[] _header = new byte[Pdu.HeaderLength];
    private byte[] _body = new byte[16 * 1024];

    /// <summary>The next PDU, or null when the peer closed the connection cleanly between PDUs.</summary>
    /// <param name="timeout">Bound on the wait for the whole PDU (ARTIM or the idle timeout).</param>
    /// <param name="waitingFor">What we wait for, for the timeout's message.</param>
    public async ValueTask<Pdu?> ReadAsync(TimeSpan timeout, string waitingFor, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var headerRead = await ReadAtLeastAsync(_header, limit.Token);
            if (headerRead == 0)
            {
                return null;
            }
            if (headerRead < Pdu.HeaderLength)
            {
                throw new PduTruncatedException(null, Pdu.HeaderLength, headerRead);
            }
            var typeByte = _header[0];
            if (!PduParser.IsKnownType(typeByte))
            {
                throw new PduFormatException(null, 0, $"unrecognized PDU type 0x{typeByte:X2}", AbortReason.UnrecognizedPdu);
            }
            var type = (PduType)typeByte;
            var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(2));
            var limitForType = type == PduType.PDataTf ? options.MaxPduLength : options.MaxAssociatePduLength;
            if (length > limitForType)
            {
                throw new PduTooLargeException(type, length, limitForType);
            }
            if (_body.Length < length)
            {
                _body = new byte[Math.Max(length, (uint)_body.Length * 2)];
            }
            var body = _body.AsMemory(0, (int)length);
            var bodyRead = await ReadAtLeastAsync(body, limit.Token);
            if (bodyRead < length)
            {
                throw new PduTruncatedException(type, length, bodyRead);
            }
            return PduParser.Parse(type, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DicomNetworkTimeoutException(waitingFor, timeout);
        }
    }

    private async ValueTask<int> ReadAtLeastAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
}
