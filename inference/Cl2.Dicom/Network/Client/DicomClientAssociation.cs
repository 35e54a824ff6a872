using System.Net.Sockets;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Security;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Client;

/// <summary>
/// An association we requested (the requestor's side of PS3.8 9.2): DIMSE operations one at a time, then
/// <see cref="ReleaseAsync"/> or <see cref="AbortAsync"/>. Disposing an association still open aborts it.
/// </summary>
public sealed partial class DicomClientAssociation : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly AssociationChannel _channel;
    private readonly DicomNetworkOptions _network;
    private ushort _lastMessageId;
    private bool _closed;

    private DicomClientAssociation(TcpClient tcp, Stream stream, AssociationChannel channel, NegotiatedAssociation negotiated,
        DicomNetworkOptions network)
    {
        _tcp = tcp;
        _stream = stream;
        _channel = channel;
        _network = network;
        Negotiated = negotiated;
        channel.Association = negotiated;
    }

    public NegotiatedAssociation Negotiated { get; }

    /// <summary>Connects and negotiates. A rejection throws <see cref="AssociationRejectedException"/> with the peer's reason.</summary>
    public static async Task<DicomClientAssociation> OpenAsync(string host, int port, DicomClientOptions options,
        IReadOnlyList<PresentationContext> presentationContexts, CancellationToken cancellationToken)
    {
        var network = options.Network;
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(network.ArtimTimeout);
                try
                {
                    await tcp.ConnectAsync(host, port, connect.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DicomNetworkTimeoutException($"TCP connection to {host}:{port}", network.ArtimTimeout);
                }
                catch (SocketException e)
                {
                    throw new PeerUnreachableException(host, port, e);
                }
            }
            Stream stream = tcp.GetStream();
            if (options.Tls is { } tls)
            {
                stream = await DicomTls.ConnectAsync(stream, host, tls, network.ArtimTimeout, cancellationToken);
            }
            var channel = new AssociationChannel(stream, network);
            var request = new AAssociateRq(options.CalledAeTitle, options.CallingAeTitle, presentationContexts,
                new UserInformation(network.MaxPduLength, network.ImplementationClassUid, network.ImplementationVersionName,
                    RoleSelections: options.RoleSelections.Count == 0 ? null : options.RoleSelections));
            await channel.SendAsync(request, cancellationToken);
            var response = await channel.Reader.ReadAsync(network.ArtimTimeout, "A-ASSOCIATE-AC", cancellationToken)
                ?? throw new PeerClosedException("A-ASSOCIATE-AC");
            return response switch
            {
                AAssociateAc accept => new DicomClientAssociation(tcp, stream, channel,
                    NegotiatedAssociation.From(request, accept, weAreRequestor: true), network),
                AAssociateRj reject => throw new AssociationRejectedException(reject),
                AAbort abort => throw new AssociationAbortedException(abort),
                _ => throw new UnexpectedPduException(response.Type, "awaiting A-ASSOCIATE-AC"),
            };
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public Task<DimseStatus> EchoAsync(CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var context = Negotiated.FindContext(DicomUids.Verification.Value)
            ?? throw new NoPresentationContextException("the peer did not accept Verification");
        var messageId = NextMessageId();
        await _channel.SendAsync(context.Id, CEchoRequest.Command(messageId), null, cancellationToken);
        return (await ReadResponseAsync(messageId, CommandField.CEchoRsp, cancellationToken)).Status ?? DimseStatus.ProcessingFailure;
    });

    /// <summary>A-RELEASE-RQ, then wait (ARTIM) for A-RELEASE-RP and close.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return;
        }
        try
        {
            await RunAsync(async () =>
            {
                await _channel.SendAsync(AReleaseRq.Instance, cancellationToken);
                var reply = await _channel.Reader.ReadAsync(_network.ArtimTimeout, "A-RELEASE-RP", cancellationToken)
                    ?? throw new PeerClosedException("A-RELEASE-RP");
                return reply switch
                {
                    AReleaseRp => 0,
                    AAbort abort => throw new AssociationAbortedException(abort),
                    _ => throw new UnexpectedPduException(reply.Type, "awaiting A-RELEASE-RP"),
                };
            });
        }
        finally
        {
            Close();
        }
    }

    /// <summary>A-ABORT from the service user, then close.</summary>
    public async Task AbortAsync()
    {
        if (!_closed)
        {
            await TryAbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified);
            Close();
        }
    }

    public async ValueTask DisposeAsync() => await AbortAsync();

    private async Task<InboundCommand> ReadResponseCommandAsync(ushort messageId, CommandField expected, CancellationToken cancellationToken)
    {
        var (inbound, other) = await _channel.ReadCommandAsync(cancellationToken);
        if (other is not null)
        {
            throw new UnexpectedPduException(other.Type, $"awaiting {expected}");
        }
        var command = inbound!.Command;
        if (command.CommandField != expected || command.MessageIdBeingRespondedTo != messageId)
        {
            throw new DimseProtocolException($"{command.CommandField} to message {command.MessageIdBeingRespondedTo} where {expected} to message {messageId} was due");
        }
        return inbound;
    }

    private async Task<DimseCommand> ReadResponseAsync(ushort messageId, CommandField expected, CancellationToken cancellationToken)
    {
        var inbound = await ReadResponseCommandAsync(messageId, expected, cancellationToken);
        if (inbound.Command.HasDataSet)
        {
            await _channel.OpenDataSet(inbound.PresentationContextId).DrainAsync(cancellationToken);
        }
        return inbound.Command;
    }

    /// <summary>Runs one exchange; a protocol error of the peer aborts the association with the fitting reason.</summary>
    private async Task<T> RunAsync<T>(Func<Task<T>> exchange)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        try
        {
            return await exchange();
        }
        catch (DicomNetworkException e) when (e is not NoPresentationContextException)
        {
            if (e.AbortReason is { } reason)
            {
                await TryAbortAsync(AbortSource.ServiceProvider, reason);
            }
            Close();
            throw;
        }
        catch (IOException)
        {
            Close();
            throw;
        }
    }

    private ushort NextMessageId() => ++_lastMessageId == 0 ? ++_lastMessageId : _lastMessageId;

    private async Task TryAbortAsync(AbortSource source, AbortReason reason)
    {
        using var artim = new CancellationTokenSource(_network.ArtimTimeout);
        try
        {
            await _stream.WriteAsync(PduEncoder.Encode(new AAbort(source, reason)), artim.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The peer is gone already; the abort has nobody to tell.
        }
    }

    private void Close()
    {
        if (!_closed)
        {
            _closed = true;
            _stream.Dispose();
            _tcp.Dispose();
        }
    }
}
