using System.Buffers.Binary;

namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>
/// Writes PDUs to a transport stream. P-DATA-TF goes through one reusable buffer and leaves as a single write per PDU:
/// with NoDelay that is one segment train per PDU, never a lone 6-byte header waiting for an ACK.
/// </summary>
public sealed class PduWriter(Stream stream)
{
    /// <summary>PDU header + PDV header in front of every fragment.</summary>
    public const int PDataOverhead = Pdu.HeaderLength + PresentationDataValue.HeaderLength;

    /// <summary>Smallest peer maximum we honour; a smaller announced maximum would make every fragment mostly header.</summary>
    public const uint MinimumMaxPduLength = 1024;

    private byte[] _buffer = [];

    public async ValueTask WriteAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(PduEncoder.Encode(pdu), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Sends <paramref name="source"/> as PDVs of one presentation context, fragmented so that every
    /// P-DATA-TF's variable field fits <paramref name="maxPduLength"/> (the peer's Maximum Length; 0 = no limit).</summary>
    public async ValueTask WriteFragmentsAsync(byte presentationContextId, bool isCommand, Stream source, uint maxPduLength,
        CancellationToken cancellationToken)
    {
        var capacity = FragmentCapacity(maxPduLength);
        // One byte beyond a full fragment is read ahead, so the last fragment is known as last when it is sent.
        if (_buffer.Length < PDataOverhead + capacity + 1)
        {
            _buffer = new byte[PDataOverhead + capacity + 1];
        }
        var filled = await source.ReadAtLeastAsync(_buffer.AsMemory(PDataOverhead, capacity + 1), capacity + 1, false, cancellationToken);
        while (true)
        {
            var isLast = filled <= capacity;
            var length = isLast ? filled : capacity;
            FillHeaders(presentationContextId, isCommand, isLast, length);
            await stream.WriteAsync(_buffer.AsMemory(0, PDataOverhead + length), cancellationToken);
            if (isLast)
            {
                break;
            }
            _buffer[PDataOverhead] = _buffer[PDataOverhead + capacity];
            filled = 1 + await source.ReadAtLeastAsync(_buffer.AsMemory(PDataOverhead + 1, capacity), capacity, false, cancellationToken);
        }
        await stream.FlushAsync(cancellationToken);
    }

    private static int FragmentCapacity(uint maxPduLength)
    {
        const uint Ceiling = 4 * 1024 * 1024;
        var max = maxPduLength == 0 ? Ceiling : Math.Clamp(maxPduLength, MinimumMaxPduLength, Ceiling);
        return (int)max - PresentationDataValue.HeaderLength;
    }

    private void FillHeaders(byte presentationContextId, bool isCommand, bool isLast, int fragmentLength)
    {
        _buffer[0] = (byte)PduType.PDataTf;
        _buffer[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(2), (uint)(fragmentLength + PresentationDataValue.HeaderLength));
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(6), (uint)(fragmentLength + 2));
        _buffer[10] = presentationContextId;
        _buffer[11] = new PresentationDataValue(presentationContextId, isCommand, isLast, default).MessageControlHeader;
    }
}
