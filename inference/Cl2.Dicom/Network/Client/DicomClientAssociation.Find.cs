using System.Runtime.CompilerServices;
using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Network.Client;

/// <summary>C-FIND (PS3.4 C.4.1) as the SCU.</summary>
public sealed partial class DicomClientAssociation
{
    /// <summary>C-FIND: yields every response, Pending ones with their identifier, the final one last. Cancelling
    /// <paramref name="cancellationToken"/> sends C-CANCEL-RQ and the enumeration goes on to the peer's final response
    /// (Cancel, 0xFE00, from a peer that honours it), bounded by the idle timeout.</summary>
    public async IAsyncEnumerable<CFindResponse> FindAsync(string informationModelUid, ReadOnlyMemory<byte> identifier,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var context = Negotiated.FindContext(informationModelUid)
            ?? throw new NoPresentationContextException($"the peer did not accept {informationModelUid}");
        var messageId = NextMessageId();
        using (var body = new MemoryStream(identifier.ToArray(), writable: false))
        {
            await RunAsync(async () =>
            {
                await _channel.SendAsync(context.Id, CFindRequest.Command(messageId, informationModelUid), body, cancellationToken);
                return 0;
            });
        }
        var cancel = new CancelOnRequest(this, context.Id, messageId, cancellationToken);
        try
        {
            while (true)
            {
                var (response, match) = await RunAsync(async () =>
                {
                    var (contextId, command) = await ReadResponseCommandAsync(messageId, CommandField.CFindRsp, CancellationToken.None);
                    var data = command.HasDataSet ? await _channel.ReadDataSetAsync(contextId, _network.MaxIdentifierLength, CancellationToken.None) : null;
                    return (command, data);
                });
                var status = response.Status ?? DimseStatus.ProcessingFailure;
                // Spelled out: a null byte[] converts implicitly to an empty ReadOnlyMemory, which would read as "an identifier".
                ReadOnlyMemory<byte>? matched = match is null ? (ReadOnlyMemory<byte>?)null : match;
                if (!status.IsPending)
                {
                    await cancel.DisposeAsync();
                }
                yield return new CFindResponse(status, matched);
                if (!status.IsPending)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await cancel.DisposeAsync();
        }
    }
}
