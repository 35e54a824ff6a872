using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// C-FIND, and C-GET or C-MOVE (Pacs:RetrieveMethod), against the configured PACS (Study Root). C-GET needs no listener
/// of ours reachable from the PACS; C-MOVE is for PACS that offer nothing else (<see cref="PacsStorageScp"/> receives).
/// </summary>
public sealed class PacsConnection(IOptions<PacsOptions> options, PacsMoves moves)
{
    public PacsOptions Options => options.Value;

    /// <summary>Every match of a Study Root C-FIND; a failure status or an unreachable PACS throws <see cref="PacsException"/>.</summary>
    public async Task<IReadOnlyList<DicomDataset>> FindAsync(DicomDataset identifier, CancellationToken cancellationToken)
    {
        var model = DicomUids.StudyRootQueryRetrieveInformationModelFind.Value;
        await using var association = await OpenAsync([new PresentationContext(1, model, DicomTransferSyntax.UncompressedUids)], [], cancellationToken);
        var matches = new List<DicomDataset>();
        DimseStatus final = DimseStatus.ProcessingFailure;
        await foreach (var response in association.FindAsync(model, Encode(identifier, association, model), cancellationToken))
        {
            if (response.Identifier is { } bytes && response.Status.IsPending)
            {
                matches.Add(DicomFile.Open(new MemoryStream(bytes.ToArray(), writable: false)).Dataset);
            }
            final = response.Status;
        }
        await association.ReleaseAsync(cancellationToken);
        if (!final.IsSuccess)
        {
            throw new PacsException(ErrorCodes.PacsFailed, $"the PACS {Describe()} answered C-FIND with {final}");
        }
        return matches;
    }

    /// <summary>
    /// Retrieves each identifier (a study, series or instance, by its level) with the configured method, one association
    /// for all: C-GET brings the instances back over it; C-MOVE has the PACS send them to our storage SCP, which takes only
    /// <paramref name="expected"/> (SOP Instance UIDs). Either way each instance goes to <paramref name="receiver"/>.
    /// </summary>
    public async Task RetrieveAsync(IReadOnlyList<DicomDataset> identifiers, IReadOnlyCollection<string> expected, ICStoreProvider receiver,
        CancellationToken cancellationToken)
    {
        if (identifiers.Count == 0)
        {
            return;
        }
        if (Options.RetrieveMethod is PacsRetrieveMethod.CMove)
        {
            await MoveAsync(identifiers, expected, receiver, cancellationToken);
        }
        else
        {
            await GetAsync(identifiers, receiver, cancellationToken);
        }
    }

    private async Task GetAsync(IReadOnlyList<DicomDataset> identifiers, ICStoreProvider receiver, CancellationToken cancellationToken)
    {
        var model = DicomUids.StudyRootQueryRetrieveInformationModelGet.Value;
        var contexts = new List<PresentationContext> { new(1, model, DicomTransferSyntax.UncompressedUids) };
        contexts.AddRange(DicomUids.CommonStorageSopClasses.Select((uid, index) => new PresentationContext((byte)(2 * index + 3), uid, DicomTransferSyntax.UncompressedUids)));
        await using var association = await OpenAsync(contexts,
            [.. DicomUids.CommonStorageSopClasses.Select(uid => new ScpScuRoleSelection(uid, ScuRole: false, ScpRole: true))], cancellationToken);
        foreach (var identifier in identifiers)
        {
            var final = await association.GetAsync(model, Encode(identifier, association, model), receiver, null, cancellationToken);
            ThrowIfFailed("C-GET", final, "");
        }
        await association.ReleaseAsync(cancellationToken);
    }

    private async Task MoveAsync(IReadOnlyList<DicomDataset> identifiers, IReadOnlyCollection<string> expected, ICStoreProvider receiver,
        CancellationToken cancellationToken)
    {
        var model = DicomUids.StudyRootQueryRetrieveInformationModelMove.Value;
        using var expecting = moves.Expect(expected, receiver);
        await using var association = await OpenAsync([new PresentationContext(1, model, DicomTransferSyntax.UncompressedUids)], [], cancellationToken);
        foreach (var identifier in identifiers)
        {
            var final = await association.MoveAsync(model, Encode(identifier, association, model), Options.EffectiveMoveDestination, null, cancellationToken);
            // A PACS that does not know the destination says so with 0xA801 or a plain failure: name what to check either way.
            ThrowIfFailed("C-MOVE", final,
                $"; it must know our move destination {Options.EffectiveMoveDestination} (Pacs:MoveDestinationAeTitle) at this host, port {Options.StorageScpPort} (Pacs:StorageScpPort)");
        }
        await association.ReleaseAsync(cancellationToken);
        if (expecting.Missing > 0)
        {
            throw new PacsException(ErrorCodes.PacsFailed,
                $"the PACS {Describe()} reported the C-MOVE done, but {expecting.Missing} of {expected.Count} instances never reached our storage SCP: check that the PACS sends {Options.EffectiveMoveDestination} to this host, port {Options.StorageScpPort}, then run the import again");
        }
    }

    private void ThrowIfFailed(string operation, CRetrieveProgress final, string hint)
    {
        if (final.Status.IsFailure || final.Failed > 0)
        {
            throw new PacsException(ErrorCodes.PacsFailed,
                $"the PACS {Describe()} answered {operation} with {final.Status} ({final.Completed} completed, {final.Failed} failed){hint}; then run the import again (resumePacsImport) to fetch what is missing");
        }
    }

    private string Describe() => $"{Options.AeTitle} at {Options.Host}:{Options.Port}";

    private async Task<DicomClientAssociation> OpenAsync(IReadOnlyList<PresentationContext> contexts, IReadOnlyList<ScpScuRoleSelection> roles,
        CancellationToken cancellationToken)
    {
        if (Options.Host.Length == 0)
        {
            throw new PacsException(ErrorCodes.PacsNotConfigured, "no PACS is configured: set Pacs:Host, Pacs:Port, Pacs:AeTitle and Pacs:CallingAeTitle (environment variables Pacs__Host, Pacs__Port, Pacs__AeTitle, Pacs__CallingAeTitle; with ./cl2, lines in the [labeling] section of .cl2/settings.env, then ./cl2 restart labeling: docs/cohorts.md)");
        }
        var client = new DicomClientOptions { CallingAeTitle = Options.CallingAeTitle, CalledAeTitle = Options.AeTitle, RoleSelections = roles };
        try
        {
            return await DicomClientAssociation.OpenAsync(Options.Host, Options.Port, client, contexts, cancellationToken);
        }
        catch (PeerUnreachableException exception)
        {
            throw new PacsException(ErrorCodes.PacsUnreachable,
                $"the PACS {Describe()} cannot be reached ({exception.SocketError}): check that it runs and Pacs:Host/Pacs:Port, then run the import again");
        }
        catch (AssociationRejectedException exception)
        {
            throw new PacsException(ErrorCodes.PacsUnreachable,
                $"the PACS {Describe()} refused our association ({exception.Message}): it must know our AE title {Options.CallingAeTitle} (Pacs:CallingAeTitle)");
        }
    }

    private static byte[] Encode(DicomDataset identifier, DicomClientAssociation association, string model)
    {
        var context = association.Negotiated.FindContext(model) ?? throw new NoPresentationContextException($"the PACS did not accept {model}");
        using var bytes = new MemoryStream();
        DicomWriter.WriteDataset(bytes, identifier, DicomTransferSyntax.Lookup(context.TransferSyntax));
        return bytes.ToArray();
    }
}

/// <summary>The PACS could not be asked, or said no; <see cref="DomainException.Code"/> says which.</summary>
public sealed class PacsException(string code, string message) : DomainException(code, message);
