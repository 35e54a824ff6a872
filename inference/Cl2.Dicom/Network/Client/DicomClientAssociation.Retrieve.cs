using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Network.Client;

/// <summary>The retrieve services as the SCU: C-GET (sub-operations come back over this association) and C-MOVE.</summary>
public sealed partial class DicomClientAssociation
{
    /// <summary>
    /// C-GET: the peer sends the matches back as C-STORE sub-operations on this association, which
    /// <paramref name="storeProvider"/> receives (their contexts need the SCP role, see <see cref="DicomClientOptions.RoleSelections"/>).
    /// Returns the final response's status and sub-operation counts; Pending ones go to <paramref name="progress"/>.
    /// </summary>
    public Task<CRetrieveProgress> GetAsync(string informationModelUid, ReadOnlyMemory<byte> identifier, ICStoreProvider storeProvider,
        IProgress<CRetrieveProgress>? progress, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var (_, messageId) = await SendRetrieveRequestAsync(new DimseCommand(CommandField.CGetRq), informationModelUid, identifier, cancellationToken);
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
            var counts = ProgressOf(command);
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
        var (contextId, messageId) = await SendRetrieveRequestAsync(new DimseCommand(CommandField.CMoveRq) { MoveDestination = moveDestination },
            informationModelUid, identifier, cancellationToken);
        await using var cancel = new CancelOnRequest(this, contextId, messageId, cancellationToken);
        while (true)
        {
            var command = await ReadResponseAsync(messageId, CommandField.CMoveRsp, CancellationToken.None);
            var counts = ProgressOf(command);
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

    /// <summary>Sends a C-GET-RQ or C-MOVE-RQ with its identifier on the information model's context, at medium priority.</summary>
    private async Task<(byte ContextId, ushort MessageId)> SendRetrieveRequestAsync(DimseCommand request, string informationModelUid,
        ReadOnlyMemory<byte> identifier, CancellationToken cancellationToken)
    {
        var context = Negotiated.FindContext(informationModelUid)
            ?? throw new NoPresentationContextException($"the peer did not accept {informationModelUid}");
        var messageId = NextMessageId();
        using var body = new MemoryStream(identifier.ToArray(), writable: false);
        await _channel.SendAsync(context.Id, request with
        {
            AffectedSopClassUid = informationModelUid,
            MessageId = messageId,
            Priority = DimsePriority.Medium,
            HasDataSet = true,
        }, body, cancellationToken);
        return (context.Id, messageId);
    }

    /// <summary>A C-GET-RSP's or C-MOVE-RSP's status and sub-operation counts (PS3.7 9.3.3.2, 9.3.4.2).</summary>
    private static CRetrieveProgress ProgressOf(DimseCommand response) =>
        new(response.Status ?? DimseStatus.ProcessingFailure, response.NumberOfRemainingSubOperations ?? 0, response.NumberOfCompletedSubOperations ?? 0,
            response.NumberOfFailedSubOperations ?? 0, response.NumberOfWarningSubOperations ?? 0);
}
