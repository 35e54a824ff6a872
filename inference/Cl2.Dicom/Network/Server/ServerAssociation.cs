using System.Net;
using System.Net.Sockets;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Security;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Server;

/// <summary>
/// One accepted connection, from A-ASSOCIATE-RQ to release or abort (the acceptor's side of PS3.8 9.2). Every way it
/// can fail ends here as a typed exception; protocol errors are answered with the A-ABORT their reason calls for.
/// </summary>
internal sealed partial class ServerAssociation(
    Socket socket,
    DicomServerOptions options,
    ICEchoProvider? echoProvider,
    ICStoreProvider? storeProvider,
    ICFindProvider? findProvider,
    ICGetProvider? getProvider,
    ICMoveProvider? moveProvider,
    long associationId)
{
    private readonly DicomNetworkOptions _network = options.Network;
    private readonly IPAddress _remoteAddress = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
    private ushort _lastSubOperationMessageId;
    private string? _callingAeTitle;
    private IReadOnlyList<string>? _restricted;

    public async Task<AssociationClosedEventArgs> RunAsync(bool overLimit, CancellationToken stopping)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (options.Tls is { } tls)
        {
            try
            {
                // Within the A-ASSOCIATE-RQ's time: a connection that never finishes its handshake gives its slot back as soon.
                stream = await DicomTls.AcceptAsync(stream, tls, _network.AssociateRequestTimeout, stopping);
            }
            catch (DicomNetworkException e)
            {
                return Closed(e);
            }
        }
        await using var disposeStream = stream;
        var channel = new AssociationChannel(stream, _network);
        try
        {
            var first = await channel.Reader.ReadAsync(_network.AssociateRequestTimeout, "A-ASSOCIATE-RQ", stopping)
                ?? throw new PeerClosedException("A-ASSOCIATE-RQ");
            if (first is not AAssociateRq request)
            {
                throw new UnexpectedPduException(first.Type, "awaiting A-ASSOCIATE-RQ");
            }
            _callingAeTitle = request.CallingAeTitle;
            var outcome = overLimit
                ? new NegotiationOutcome(null, AssociationNegotiation.LocalLimitExceeded)
                : AssociationNegotiation.Negotiate(request, options.Policy, _network, _remoteAddress);
            _restricted = outcome.Restricted;
            await channel.SendAsync(outcome.Response, stopping);
            if (outcome.Reject is { } reject)
            {
                await WaitForPeerToCloseAsync(stream, stopping);
                return Closed(new AssociationRejectedException(reject));
            }
            channel.Association = NegotiatedAssociation.From(request, outcome.Accept!, weAreRequestor: false);

            while (true)
            {
                var (command, other) = await NextCommandAsync(channel, stopping);
                if (other is AReleaseRq)
                {
                    await channel.SendAsync(AReleaseRp.Instance, stopping);
                    await WaitForPeerToCloseAsync(stream, stopping);
                    return Closed(null);
                }
                if (other is not null)
                {
                    throw new UnexpectedPduException(other.Type, "associated");
                }
                await DispatchAsync(channel, command!, stopping);
            }
        }
        catch (DicomNetworkException e)
        {
            var associated = channel.Association is not null;
            if (e.AbortReason is { } reason)
            {
                await TryAbortAsync(stream, reason);
            }
            else if (e is DicomNetworkTimeoutException && associated)
            {
                await TryAbortAsync(stream, AbortReason.NotSpecified);
            }
            return Closed(e);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await TryAbortAsync(stream, AbortReason.NotSpecified);
            return Closed(new OperationCanceledException("the server is stopping", stopping));
        }
        catch (IOException e)
        {
            return Closed(e);
        }
#pragma warning disable CA1031 // A bug on one association (a provider's, say) must not take the server down with it.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            await TryAbortAsync(stream, AbortReason.NotSpecified);
            return Closed(e);
        }
    }

    private AssociationClosedEventArgs Closed(Exception? error) => new(_callingAeTitle, error, _restricted, _remoteAddress, associationId);

    private async Task DispatchAsync(AssociationChannel channel, InboundCommand inbound, CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        var context = channel.Association!.Contexts[contextId];
        switch (command.CommandField)
        {
            case CommandField.CEchoRq:
                await DiscardDataSetAsync(channel, inbound, cancellationToken);
                var echoStatus = echoProvider is null
                    ? DimseStatus.Success
                    : await echoProvider.OnCEchoAsync(new CEchoRequest(_callingAeTitle!, command.MessageId ?? 0), cancellationToken);
                await channel.SendAsync(contextId, command.ResponseWith(echoStatus), null, cancellationToken);
                break;
            case CommandField.CStoreRq:
                var (storeStatus, errorComment) = await StoreAsync(channel, inbound, context, cancellationToken);
                await channel.SendAsync(contextId, command.ResponseWith(storeStatus) with { ErrorComment = errorComment }, null, cancellationToken);
                break;
            case CommandField.CFindRq:
                await FindAsync(channel, inbound, context, cancellationToken);
                break;
            case CommandField.CGetRq:
                await GetAsync(channel, inbound, context, cancellationToken);
                break;
            case CommandField.CMoveRq:
                await MoveAsync(channel, inbound, context, cancellationToken);
                break;
            case CommandField.CCancelRq:
                // A cancel of a C-FIND/C-MOVE is caught while it runs (RunCancellableAsync); one here came after its operation ended.
                await DiscardDataSetAsync(channel, inbound, cancellationToken);
                break;
            default:
                await DiscardDataSetAsync(channel, inbound, cancellationToken);
                await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.UnrecognizedOperation), null, cancellationToken);
                break;
        }
    }

    private async Task<(DimseStatus Status, string? ErrorComment)> StoreAsync(AssociationChannel channel, InboundCommand inbound,
        NegotiatedContext context, CancellationToken cancellationToken)
    {
        var command = inbound.Command;
        if (!command.HasDataSet)
        {
            throw new DimseProtocolException("C-STORE-RQ without a data set");
        }
        var dataSet = channel.OpenDataSet(inbound.PresentationContextId);
        var status = DimseStatus.SopClassNotSupported;
        string? errorComment = null;
        if (storeProvider is not null)
        {
            var request = new CStoreRequest(_callingAeTitle!, command.AffectedSopClassUid ?? context.AbstractSyntax,
                command.AffectedSopInstanceUid ?? "", context.TransferSyntax, command.MessageId ?? 0,
                command.Priority ?? DimsePriority.Medium, command.MoveOriginatorApplicationEntityTitle, command.MoveOriginatorMessageId, dataSet, associationId);
            try
            {
                status = await storeProvider.OnCStoreAsync(request, cancellationToken);
            }
            catch (CStoreRefusedException refused)
            {
                (status, errorComment) = (refused.Status, Truncate(refused.ErrorComment));
            }
            catch (Exception e) when (e is not DicomNetworkException and not OperationCanceledException and not IOException)
            {
                // The provider's failure is this instance's failure, not the association's.
                status = DimseStatus.ProcessingFailure;
            }
        }
        await dataSet.DrainAsync(cancellationToken);
        return (status, errorComment);
    }

    private async Task FindAsync(AssociationChannel channel, InboundCommand inbound, NegotiatedContext context,
        CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        if (!command.HasDataSet)
        {
            throw new DimseProtocolException("C-FIND-RQ without an identifier");
        }
        var identifier = await channel.ReadDataSetAsync(contextId, _network.MaxIdentifierLength, cancellationToken);
        if (findProvider is null)
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.SopClassNotSupported), null, cancellationToken);
            return;
        }
        var request = new CFindRequest(_callingAeTitle!, command.AffectedSopClassUid ?? context.AbstractSyntax, context.TransferSyntax,
            command.MessageId ?? 0, command.Priority ?? DimsePriority.Medium, identifier)
        {
            RemoteAddress = _remoteAddress,
        };
        var final = DimseStatus.Success;
        await RunCancellableAsync(channel, command.MessageId, async cancelled =>
        {
            try
            {
                await foreach (var response in findProvider.OnCFindAsync(request, cancelled))
                {
                    if (cancelled.IsCancellationRequested)
                    {
                        final = DimseStatus.Cancel;
                        break;
                    }
                    if (!response.Status.IsPending)
                    {
                        final = response.Status;
                        break;
                    }
                    var pending = command.ResponseWith(response.Status) with { HasDataSet = response.Identifier is not null };
                    using var body = response.Identifier is { } match ? new MemoryStream(match.ToArray(), writable: false) : null;
                    await channel.SendAsync(contextId, pending, body, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                final = DimseStatus.Cancel;
            }
            catch (Exception e) when (e is not DicomNetworkException and not OperationCanceledException and not IOException)
            {
                final = DimseStatus.CannotUnderstand;
            }
        }, cancellationToken);
        await channel.SendAsync(contextId, command.ResponseWith(final), null, cancellationToken);
    }

    private static async Task DiscardDataSetAsync(AssociationChannel channel, InboundCommand inbound, CancellationToken cancellationToken)
    {
        if (inbound.Command.HasDataSet)
        {
            await channel.OpenDataSet(inbound.PresentationContextId).DrainAsync(cancellationToken);
        }
    }

    /// <summary>After A-ASSOCIATE-RJ or A-RELEASE-RP the requestor closes the connection; ARTIM bounds the wait.</summary>
    private async Task WaitForPeerToCloseAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var artim = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        artim.CancelAfter(_network.ArtimTimeout);
        var scratch = new byte[256];
        try
        {
            while (await stream.ReadAsync(scratch, artim.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Timed out or reset: either way the connection is over and we close it.
        }
    }

    private async Task TryAbortAsync(Stream stream, AbortReason reason)
    {
        using var artim = new CancellationTokenSource(_network.ArtimTimeout);
        try
        {
            await stream.WriteAsync(PduEncoder.Encode(new AAbort(AbortSource.ServiceProvider, reason)), artim.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The peer is gone already; the abort has nobody to tell.
        }
    }
}
