using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Server;

/// <summary>The retrieve services of an association: C-GET (sub-operations back over it) and C-MOVE (over one of ours).</summary>
internal sealed partial class ServerAssociation
{
    /// <summary>C-GET (PS3.4 C.4.3): one C-STORE sub-operation per instance over this association, a Pending response
    /// with the counts after each, then the final status. A C-CANCEL stops before the next sub-operation.</summary>
    private async Task GetAsync(AssociationChannel channel, InboundCommand inbound, NegotiatedContext context,
        CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        if (!command.HasDataSet)
        {
            throw new DimseProtocolException("C-GET-RQ without an identifier");
        }
        var identifier = await channel.ReadDataSetAsync(contextId, _network.MaxIdentifierLength, cancellationToken);
        if (getProvider is null)
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.SopClassNotSupported), null, cancellationToken);
            return;
        }
        var request = new CGetRequest(_callingAeTitle!, command.AffectedSopClassUid ?? context.AbstractSyntax, context.TransferSyntax,
            command.MessageId ?? 0, command.Priority ?? DimsePriority.Medium, identifier)
        {
            RemoteAddress = _remoteAddress,
        };
        var instances = new List<RetrieveInstance>();
        try
        {
            await foreach (var instance in getProvider.OnCGetAsync(request, cancellationToken))
            {
                instances.Add(instance);
            }
        }
        catch (Exception e) when (e is not DicomNetworkException and not OperationCanceledException and not IOException)
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.CannotUnderstand), null, cancellationToken);
            return;
        }

        var association = channel.Association!;
        var tally = new SubOperationTally(instances.Count);
        var cancelled = false;
        foreach (var instance in instances)
        {
            var storeContext = association.FindContext(instance.SopClassUid, instance.TransferSyntaxUid);
            if (storeContext is null || storeContext.TransferSyntax != instance.TransferSyntaxUid
                || !association.RequestorScpRoles.Contains(instance.SopClassUid))
            {
                tally.RecordFailed();
            }
            else
            {
                var subMessageId = ++_lastSubOperationMessageId == 0 ? ++_lastSubOperationMessageId : _lastSubOperationMessageId;
                await using (var dataSet = instance.OpenDataSet())
                {
                    await channel.SendAsync(storeContext.Id, CStoreRequest.Command(subMessageId, instance.SopClassUid, instance.SopInstanceUid), dataSet,
                        cancellationToken);
                }
                var (status, cancelRequested) = await ReadSubOperationResponseAsync(channel, subMessageId, command.MessageId, cancellationToken);
                cancelled |= cancelRequested;
                tally.Record(status);
            }
            if (cancelled)
            {
                break;
            }
            if (tally.Remaining > 0)
            {
                await channel.SendAsync(contextId, tally.Pending(command), null, cancellationToken);
            }
        }
        await channel.SendAsync(contextId, tally.Final(command, cancelled), null, cancellationToken);
    }

    /// <summary>C-MOVE (PS3.4 C.4.2): the instances go to the move destination over a new association of ours, with
    /// a Pending response to the requestor after each. A C-CANCEL stops before the next sub-operation (final status Cancel).</summary>
    private async Task MoveAsync(AssociationChannel channel, InboundCommand inbound, NegotiatedContext context,
        CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        if (!command.HasDataSet)
        {
            throw new DimseProtocolException("C-MOVE-RQ without an identifier");
        }
        var identifier = await channel.ReadDataSetAsync(contextId, _network.MaxIdentifierLength, cancellationToken);
        if (moveProvider is not { } provider)
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.SopClassNotSupported), null, cancellationToken);
            return;
        }
        if (command.MoveDestination is not { } destination || !options.MoveDestinations.TryGetValue(destination, out var peer))
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.MoveDestinationUnknown), null, cancellationToken);
            return;
        }
        var request = new CMoveRequest(_callingAeTitle!, command.AffectedSopClassUid ?? context.AbstractSyntax, context.TransferSyntax,
            command.MessageId ?? 0, command.Priority ?? DimsePriority.Medium, destination, identifier)
        {
            RemoteAddress = _remoteAddress,
        };
        await RunCancellableAsync(channel, command.MessageId, async cancelled =>
        {
            if (await MatchMoveInstancesAsync(channel, inbound, provider, request, cancelled, cancellationToken) is not { } instances
                || await OpenMoveDestinationAsync(channel, inbound, peer, destination, instances, cancellationToken) is not { } subAssociation)
            {
                return;
            }
            var (tally, wasCancelled) = await StoreAtMoveDestinationAsync(channel, inbound, subAssociation, instances, cancelled, cancellationToken);
            await channel.SendAsync(contextId, tally.Final(command, wasCancelled), null, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The instances the provider names for a C-MOVE; null once the requestor has had its final response instead
    /// (the provider failed, nothing matched, or a C-CANCEL came first).</summary>
    private static async Task<List<RetrieveInstance>?> MatchMoveInstancesAsync(AssociationChannel channel, InboundCommand inbound,
        ICMoveProvider provider, CMoveRequest request, CancellationToken cancelled, CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        var instances = new List<RetrieveInstance>();
        try
        {
            await foreach (var instance in provider.OnCMoveAsync(request, cancelled))
            {
                instances.Add(instance);
            }
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await channel.SendAsync(contextId, new SubOperationTally(0).Final(command, cancelled: true), null, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not DicomNetworkException and not OperationCanceledException and not IOException)
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.CannotUnderstand), null, cancellationToken);
            return null;
        }
        if (instances.Count == 0 || cancelled.IsCancellationRequested)
        {
            await channel.SendAsync(contextId, new SubOperationTally(instances.Count).Final(command, cancelled.IsCancellationRequested), null,
                cancellationToken);
            return null;
        }
        return instances;
    }

    /// <summary>Our association to the move destination, one presentation context per SOP class and transfer syntax; null
    /// once the requestor has been told that the destination could not be reached (Out of Resources, with the reason).</summary>
    private async Task<DicomClientAssociation?> OpenMoveDestinationAsync(AssociationChannel channel, InboundCommand inbound, DicomPeer peer,
        string destination, List<RetrieveInstance> instances, CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        try
        {
            var contexts = instances.Select(i => (i.SopClassUid, i.TransferSyntaxUid)).Distinct()
                .Select((c, index) => new PresentationContext((byte)(2 * index + 1), c.SopClassUid, [c.TransferSyntaxUid]))
                .Take(StoreScu.MaxPresentationContexts).ToList();
            return await DicomClientAssociation.OpenAsync(peer.Host, peer.Port,
                new DicomClientOptions { CallingAeTitle = options.Policy.AeTitle, CalledAeTitle = destination, Network = _network },
                contexts, cancellationToken);
        }
        catch (Exception e) when (e is DicomNetworkException or IOException or System.Net.Sockets.SocketException)
        {
            await channel.SendAsync(contextId, command.ResponseWith(DimseStatus.OutOfResourcesSubOperations) with { ErrorComment = Truncate(e.Message) },
                null, cancellationToken);
            return null;
        }
    }

    /// <summary>One C-STORE sub-operation per instance at the destination, a Pending response to the requestor after each,
    /// then A-RELEASE. Returns the counts and whether a C-CANCEL stopped it.</summary>
    private async Task<(SubOperationTally Tally, bool WasCancelled)> StoreAtMoveDestinationAsync(AssociationChannel channel,
        InboundCommand inbound, DicomClientAssociation subAssociation, List<RetrieveInstance> instances, CancellationToken cancelled,
        CancellationToken cancellationToken)
    {
        var (contextId, command) = inbound;
        var tally = new SubOperationTally(instances.Count);
        var destinationLost = false;
        var wasCancelled = false;
        await using (subAssociation)
        {
            foreach (var instance in instances)
            {
                if (cancelled.IsCancellationRequested)
                {
                    // A sub-operation in flight is finished, not cut: the destination keeps a consistent association.
                    wasCancelled = true;
                    break;
                }
                DimseStatus status;
                try
                {
                    await using var dataSet = instance.OpenDataSet();
                    status = await subAssociation.StoreAsync(instance.SopClassUid, instance.SopInstanceUid, instance.TransferSyntaxUid, dataSet,
                        _callingAeTitle, command.MessageId, cancellationToken);
                }
                catch (NoPresentationContextException)
                {
                    status = DimseStatus.ProcessingFailure;
                }
                catch (Exception e) when (e is DicomNetworkException or IOException)
                {
                    // The destination failed, not the requestor.
                    tally.FailRemaining();
                    destinationLost = true;
                    break;
                }
                tally.Record(status);
                if (tally.Remaining > 0)
                {
                    await channel.SendAsync(contextId, tally.Pending(command), null, cancellationToken);
                }
            }
            if (!destinationLost)
            {
                try
                {
                    await subAssociation.ReleaseAsync(cancellationToken);
                }
                catch (Exception e) when (e is DicomNetworkException or IOException)
                {
                    // Every sub-operation was answered already; a failed release changes none of the counts.
                }
            }
        }
        return (tally, wasCancelled);
    }

    /// <summary>Error Comment is LO: at most 64 characters.</summary>
    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64];

    /// <summary>The C-STORE-RSP to a sub-operation, noting a C-CANCEL-RQ for the retrieve if one arrives first.</summary>
    private static async Task<(DimseStatus Status, bool CancelRequested)> ReadSubOperationResponseAsync(AssociationChannel channel,
        ushort subMessageId, ushort? retrieveMessageId, CancellationToken cancellationToken)
    {
        var cancelRequested = false;
        while (true)
        {
            var (inbound, other) = await channel.ReadCommandAsync(cancellationToken);
            if (other is not null)
            {
                throw new UnexpectedPduException(other.Type, "awaiting a C-STORE-RSP of a C-GET sub-operation");
            }
            var response = inbound!.Command;
            await DiscardDataSetAsync(channel, inbound, cancellationToken);
            if (response.CommandField == CommandField.CCancelRq && response.MessageIdBeingRespondedTo == retrieveMessageId)
            {
                cancelRequested = true;
                continue;
            }
            if (response.CommandField != CommandField.CStoreRsp || response.MessageIdBeingRespondedTo != subMessageId)
            {
                throw new DimseProtocolException($"{response.CommandField} where the C-STORE-RSP to sub-operation {subMessageId} was due");
            }
            return (response.Status ?? DimseStatus.ProcessingFailure, cancelRequested);
        }
    }
}
