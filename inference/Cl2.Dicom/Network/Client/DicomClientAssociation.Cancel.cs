using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Network.Client;

/// <summary>C-CANCEL (PS3.7 9.3.2.3, 9.3.4.3) of our running C-FIND or C-MOVE when the caller's token is cancelled.</summary>
public sealed partial class DicomClientAssociation
{
    /// <summary>Sends C-CANCEL-RQ for a running operation when the token is cancelled; nothing else writes while the
    /// requestor waits for a C-FIND/C-MOVE response, so the write cannot interleave with another message. Disposing
    /// waits for a cancel already being written, so that the next request does not interleave with it either.</summary>
    private sealed class CancelOnRequest : IAsyncDisposable
    {
        private readonly CancellationTokenRegistration _registration;
        private Task? _sent;

        public CancelOnRequest(DicomClientAssociation association, byte contextId, ushort messageId, CancellationToken cancellationToken) =>
            _registration = cancellationToken.Register(() => _sent = association.SendCancelAsync(contextId, messageId));

        public async ValueTask DisposeAsync()
        {
            await _registration.DisposeAsync();
            if (_sent is { } sent)
            {
                await sent;
            }
        }
    }

    private async Task SendCancelAsync(byte contextId, ushort messageId)
    {
        try
        {
            await _channel.SendAsync(contextId, new DimseCommand(CommandField.CCancelRq) { MessageIdBeingRespondedTo = messageId }, null, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or DicomNetworkException)
        {
            // The association is failing anyway; the read of the response reports how.
        }
    }
}
