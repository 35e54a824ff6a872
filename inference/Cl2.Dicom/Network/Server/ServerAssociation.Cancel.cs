using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Server;

/// <summary>
/// C-CANCEL of a running C-FIND or C-MOVE (PS3.7 9.3.2.3, 9.3.4.3). Nothing else is read from the requestor while one
/// runs, so a read-ahead waits for the next command beside it: a C-CANCEL-RQ for the operation's message cancels the
/// operation's token; anything else (the next request, A-RELEASE-RQ) is kept for the main loop.
/// </summary>
internal sealed partial class ServerAssociation
{
    private Task<(InboundCommand? Command, Pdu? Other)>? _readAhead;

    /// <summary>The next command or PDU: the one a read-ahead already holds, or a fresh read.</summary>
    private Task<(InboundCommand? Command, Pdu? Other)> NextCommandAsync(AssociationChannel channel, CancellationToken cancellationToken)
    {
        var ahead = _readAhead;
        _readAhead = null;
        return ahead ?? channel.ReadCommandAsync(cancellationToken).AsTask();
    }

    /// <summary>Runs <paramref name="operation"/> with a token that a C-CANCEL-RQ for <paramref name="messageId"/> cancels.
    /// The operation sends its responses itself and decides, by that token, when to answer Cancel.</summary>
    private async Task RunCancellableAsync(AssociationChannel channel, ushort? messageId, Func<CancellationToken, Task> operation,
        CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = operation(cancel.Token);
        while (!run.IsCompleted)
        {
            _readAhead ??= channel.ReadCommandAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(run, _readAhead) == run)
            {
                break;
            }
            var ahead = _readAhead;
            if (ahead.IsCompletedSuccessfully && ahead.Result.Command is { Command.CommandField: CommandField.CCancelRq } cancelRequest
                && cancelRequest.Command.MessageIdBeingRespondedTo == messageId)
            {
                _readAhead = null;
                await DiscardDataSetAsync(channel, cancelRequest, cancellationToken);
                await cancel.CancelAsync();
                continue;
            }
            if (ahead.IsFaulted && ahead.Exception.InnerException is DicomNetworkTimeoutException)
            {
                // The operation outlasts the idle timeout while the requestor rightly waits for it: keep watching.
                _readAhead = null;
                continue;
            }
            if (ahead.IsFaulted || ahead.IsCanceled)
            {
                // The requestor aborted or went away: nobody waits for the operation's answer.
                await cancel.CancelAsync();
            }
            break;
        }
        await run;
    }
}
