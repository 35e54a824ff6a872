using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Client;

/// <summary>
/// An association we requested (the requestor's side of PS3.8 9.2): DIMSE operations one at a time, then
/// <see cref="ReleaseAsync"/> or <see cref="AbortAsync"/>. Disposing an association still open aborts it.
/// </summary>
public sealed class DicomClientAssociation : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly AssociationChannel _channel;
    private readonly DicomNetworkOptions _network;
    private ushort _lastMessageId;
    private bool _closed;

    private DicomClientAssociation(TcpClient tcp, NetworkStream stream, AssociationChannel channel, NegotiatedAssociation negotiated,
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
            var stream = tcp.GetStream();
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
        var context = Negotiated.FindContext(DicomUids.Verification)
            ?? throw new NoPresentationContextException("the peer did not accept Verification");
        var messageId = NextMessageId();
        await _channel.SendAsync(context.Id, CEchoRequest.Command(messageId), null, cancellationToken);
        return (await ReadResponseAsync(messageId, CommandField.CEchoRsp, cancellationToken)).Status ?? DimseStatus.ProcessingFailure;
    });

    /// <summary>Sends a data set already encoded in <paramref name="transferSyntaxUid"/> (no meta header).</summary>
    public Task<DimseStatus> StoreAsync(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, Stream dataSet,
        CancellationToken cancellationToken) =>
        StoreAsync(sopClassUid, sopInstanceUid, transferSyntaxUid, dataSet, null, null, cancellationToken);

    /// <summary>C-STORE as a C-MOVE sub-operation, naming the AE and message that asked for the move.</summary>
    public Task<DimseStatus> StoreAsync(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, Stream dataSet,
        string? moveOriginatorAeTitle, ushort? moveOriginatorMessageId, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var context = Negotiated.FindContext(sopClassUid, transferSyntaxUid);
        if (context is null)
        {
            throw new NoPresentationContextException($"the peer accepted no presentation context for SOP class {sopClassUid}");
        }
        if (context.TransferSyntax != transferSyntaxUid)
        {
            throw new NoPresentationContextException(
                $"the peer accepts SOP class {sopClassUid} only in {context.TransferSyntax}, the data set is in {transferSyntaxUid}; " +
                "converting between transfer syntaxes needs the data set model, which the network layer does not have");
        }
        var messageId = NextMessageId();
        var command = CStoreRequest.Command(messageId, sopClassUid, sopInstanceUid) with
        {
            MoveOriginatorApplicationEntityTitle = moveOriginatorAeTitle,
            MoveOriginatorMessageId = moveOriginatorMessageId,
        };
        await _channel.SendAsync(context.Id, command, dataSet, cancellationToken);
        return (await ReadResponseAsync(messageId, CommandField.CStoreRsp, cancellationToken)).Status ?? DimseStatus.ProcessingFailure;
    });

    /// <summary>Stores a Part 10 file: its data set, past the meta group, in the file's own transfer syntax.</summary>
    public async Task<DimseStatus> StoreFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var header = await Part10FileHeader.ReadAsync(file, path, cancellationToken);
        file.Position = header.DataSetOffset;
        if (header.TransferSyntaxUid == TransferSyntaxUids.DeflatedExplicitVrLittleEndian && (file.Length - header.DataSetOffset) % 2 == 1)
        {
            // PS3.5 A.5: an odd deflated bitstream gets one trailing NUL byte; files that lack it would reach the peer as an
            // odd-length data set, which DCMTK refuses (odd fragment length) and aborts the association over.
            var padded = new MemoryStream();
            await file.CopyToAsync(padded, cancellationToken);
            padded.WriteByte(0);
            padded.Position = 0;
            return await StoreAsync(header.MediaStorageSopClassUid, header.MediaStorageSopInstanceUid, header.TransferSyntaxUid, padded, cancellationToken);
        }
        return await StoreAsync(header.MediaStorageSopClassUid, header.MediaStorageSopInstanceUid, header.TransferSyntaxUid, file, cancellationToken);
    }

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

    /// <summary>
    /// C-GET: the peer sends the matches back as C-STORE sub-operations on this association, which
    /// <paramref name="storeProvider"/> receives (their contexts need the SCP role, see <see cref="DicomClientOptions.RoleSelections"/>).
    /// Returns the final response's status and sub-operation counts; Pending ones go to <paramref name="progress"/>.
    /// </summary>
    public Task<CRetrieveProgress> GetAsync(string informationModelUid, ReadOnlyMemory<byte> identifier, ICStoreProvider storeProvider,
        IProgress<CRetrieveProgress>? progress, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var context = Negotiated.FindContext(informationModelUid)
            ?? throw new NoPresentationContextException($"the peer did not accept {informationModelUid}");
        var messageId = NextMessageId();
        var request = new DimseCommand(CommandField.CGetRq)
        {
            AffectedSopClassUid = informationModelUid,
            MessageId = messageId,
            Priority = DimsePriority.Medium,
            HasDataSet = true,
        };
        using (var body = new MemoryStream(identifier.ToArray(), writable: false))
        {
            await _channel.SendAsync(context.Id, request, body, cancellationToken);
        }
        while (true)
        {
            var (inbound, other) = await _channel.ReadCommandAsync(cancellationToken);
            if (other is not null)
            {
                throw new UnexpectedPduException(other.Type, "awaiting C-GET-RSP");
            }
            var command = inbound!.Command;
            if (command.CommandField == CommandField.CStoreRq)
            {
                await ReceiveSubOperationAsync(inbound, storeProvider, cancellationToken);
                continue;
            }
            if (command.CommandField != CommandField.CGetRsp || command.MessageIdBeingRespondedTo != messageId)
            {
                throw new DimseProtocolException($"{command.CommandField} to message {command.MessageIdBeingRespondedTo} during C-GET {messageId}");
            }
            if (command.HasDataSet)
            {
                await _channel.OpenDataSet(inbound.PresentationContextId).DrainAsync(cancellationToken);
            }
            var counts = new CRetrieveProgress(command.Status ?? DimseStatus.ProcessingFailure, command.NumberOfRemainingSubOperations ?? 0,
                command.NumberOfCompletedSubOperations ?? 0, command.NumberOfFailedSubOperations ?? 0, command.NumberOfWarningSubOperations ?? 0);
            if (!counts.Status.IsPending)
            {
                return counts;
            }
            progress?.Report(counts);
        }
    });

    /// <summary>C-MOVE: the peer stores the matches into <paramref name="moveDestination"/> over an association of its own.
    /// Returns the final response's status and sub-operation counts; Pending ones go to <paramref name="progress"/>.
    /// Cancelling <paramref name="cancellationToken"/> sends C-CANCEL-RQ; the final response then says Cancel (0xFE00).</summary>
    public Task<CRetrieveProgress> MoveAsync(string informationModelUid, ReadOnlyMemory<byte> identifier, string moveDestination,
        IProgress<CRetrieveProgress>? progress, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var context = Negotiated.FindContext(informationModelUid)
            ?? throw new NoPresentationContextException($"the peer did not accept {informationModelUid}");
        var messageId = NextMessageId();
        var request = new DimseCommand(CommandField.CMoveRq)
        {
            AffectedSopClassUid = informationModelUid,
            MessageId = messageId,
            Priority = DimsePriority.Medium,
            MoveDestination = moveDestination,
            HasDataSet = true,
        };
        using (var body = new MemoryStream(identifier.ToArray(), writable: false))
        {
            await _channel.SendAsync(context.Id, request, body, cancellationToken);
        }
        await using var cancel = new CancelOnRequest(this, context.Id, messageId, cancellationToken);
        while (true)
        {
            var command = await ReadResponseAsync(messageId, CommandField.CMoveRsp, CancellationToken.None);
            var counts = new CRetrieveProgress(command.Status ?? DimseStatus.ProcessingFailure, command.NumberOfRemainingSubOperations ?? 0,
                command.NumberOfCompletedSubOperations ?? 0, command.NumberOfFailedSubOperations ?? 0, command.NumberOfWarningSubOperations ?? 0);
            if (!counts.Status.IsPending)
            {
                return counts;
            }
            progress?.Report(counts);
        }
    });

    private async Task ReceiveSubOperationAsync(InboundCommand inbound, ICStoreProvider storeProvider, CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        var context = Negotiated.Contexts[contextId];
        var dataSet = _channel.OpenDataSet(contextId);
        DimseStatus status;
        try
        {
            status = await storeProvider.OnCStoreAsync(new CStoreRequest(Negotiated.CalledAeTitle, command.AffectedSopClassUid ?? context.AbstractSyntax,
                command.AffectedSopInstanceUid ?? "", context.TransferSyntax, command.MessageId ?? 0, command.Priority ?? DimsePriority.Medium,
                command.MoveOriginatorApplicationEntityTitle, command.MoveOriginatorMessageId, dataSet), cancellationToken);
        }
        catch (Exception e) when (e is not DicomNetworkException and not OperationCanceledException and not IOException)
        {
            status = DimseStatus.ProcessingFailure;
        }
        await dataSet.DrainAsync(cancellationToken);
        await _channel.SendAsync(contextId, command.ResponseWith(status), null, cancellationToken);
    }

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
