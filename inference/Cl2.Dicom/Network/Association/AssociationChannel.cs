using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Association;

/// <summary>A DIMSE message header as read: the presentation context it arrived on and its command set.</summary>
public sealed record InboundCommand(byte PresentationContextId, DimseCommand Command);

/// <summary>
/// The established association's transport, shared by SCP and SCU: reads PDVs one PDU at a time (nothing is read
/// before the consumer asks, which is the back-pressure), reassembles command sets, streams data sets and sends
/// messages fragmented to the peer's maximum PDU length.
/// </summary>
internal sealed class AssociationChannel(Stream stream, DicomNetworkOptions options)
{
    private IReadOnlyList<PresentationDataValue> _pdvs = [];
    private int _nextPdv;

    public PduReader Reader { get; } = new(stream, options);
    public PduWriter Writer { get; } = new(stream);
    public DicomNetworkOptions Options => options;
    public NegotiatedAssociation? Association { get; set; }

    /// <summary>The next PDV, or the next PDU when it is not a P-DATA-TF. A-ABORT throws.</summary>
    public async ValueTask<(PresentationDataValue Pdv, Pdu? Other)> NextAsync(string waitingFor, CancellationToken cancellationToken)
    {
        if (_nextPdv < _pdvs.Count)
        {
            return (_pdvs[_nextPdv++], null);
        }
        var pdu = await Reader.ReadAsync(options.IdleTimeout, waitingFor, cancellationToken) ?? throw new PeerClosedException(waitingFor);
        switch (pdu)
        {
            case PDataTf data:
                _pdvs = data.Values;
                _nextPdv = 1;
                return (data.Values[0], null);
            case AAbort abort:
                throw new AssociationAbortedException(abort);
            default:
                return (default, pdu);
        }
    }

    /// <summary>The next command set, or the PDU (A-RELEASE-RQ/RP …) that came instead of one.</summary>
    public async ValueTask<(InboundCommand? Command, Pdu? Other)> ReadCommandAsync(CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        byte? contextId = null;
        while (true)
        {
            var (pdv, other) = await NextAsync(contextId is null ? "DIMSE message" : "command fragment", cancellationToken);
            if (other is not null)
            {
                return contextId is null ? (null, other) : throw new UnexpectedPduException(other.Type, "inside a command set");
            }
            if (!pdv.IsCommand)
            {
                throw new DimseProtocolException($"data set fragment on context {pdv.PresentationContextId} where a command was expected");
            }
            if (contextId is { } id && id != pdv.PresentationContextId)
            {
                throw new DimseProtocolException($"command fragment on context {pdv.PresentationContextId} inside a command on context {id}");
            }
            CheckContext(pdv.PresentationContextId);
            contextId = pdv.PresentationContextId;
            if (bytes.Length + pdv.Data.Length > options.MaxCommandLength)
            {
                throw new DimseProtocolException($"command set longer than {options.MaxCommandLength} bytes");
            }
            bytes.Write(pdv.Data.Span);
            if (pdv.IsLastFragment)
            {
                return (new InboundCommand(pdv.PresentationContextId, DimseCommand.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length))), null);
            }
        }
    }

    /// <summary>The data set that follows a command on <paramref name="contextId"/>, read lazily off the association.</summary>
    public DataSetStream OpenDataSet(byte contextId) => new(this, contextId);

    /// <summary>A whole (small) data set, such as a C-FIND identifier, bounded by <paramref name="limit"/>.</summary>
    public async ValueTask<byte[]> ReadDataSetAsync(byte contextId, int limit, CancellationToken cancellationToken)
    {
        await using var dataSet = OpenDataSet(contextId);
        using var bytes = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await dataSet.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (bytes.Length + read > limit)
            {
                throw new DimseProtocolException($"data set longer than {limit} bytes");
            }
            bytes.Write(buffer, 0, read);
        }
        return bytes.ToArray();
    }

    public async ValueTask SendAsync(byte contextId, DimseCommand command, Stream? dataSet, CancellationToken cancellationToken)
    {
        var peerMax = Association?.PeerMaxPduLength ?? 0;
        using (var commandBytes = new MemoryStream(command.Encode(), writable: false))
        {
            await Writer.WriteFragmentsAsync(contextId, isCommand: true, commandBytes, peerMax, cancellationToken);
        }
        if (dataSet is not null)
        {
            await Writer.WriteFragmentsAsync(contextId, isCommand: false, dataSet, peerMax, cancellationToken);
        }
    }

    public ValueTask SendAsync(Pdu pdu, CancellationToken cancellationToken) => Writer.WriteAsync(pdu, cancellationToken);

    internal void CheckContext(byte contextId)
    {
        if (Association is { } association && !association.Contexts.ContainsKey(contextId))
        {
            throw new DimseProtocolException($"PDV on presentation context {contextId}, which was not accepted");
        }
    }
}
