using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// C-FIND and C-GET against the configured PACS (Study Root). C-GET rather than C-MOVE: the instances come back over our
/// own association, so no listener of ours has to be reachable from the PACS.
/// </summary>
public sealed class PacsConnection(IOptions<PacsOptions> options)
{
    public PacsOptions Options => options.Value;

    /// <summary>Every match of a Study Root C-FIND; a failure status or an unreachable PACS throws <see cref="PacsException"/>.</summary>
    public async Task<IReadOnlyList<DicomDataset>> FindAsync(DicomDataset identifier, CancellationToken cancellationToken)
    {
        const string model = Cl2.Dicom.Network.DicomUids.StudyRootQueryRetrieveFind;
        await using var association = await OpenAsync([new PresentationContext(1, model, TransferSyntaxUids.Uncompressed)], [], cancellationToken);
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

    /// <summary>C-GET of one study, series or instance (by the identifier's level); each instance goes to <paramref name="receiver"/>.</summary>
    public async Task<CRetrieveProgress> GetAsync(DicomDataset identifier, ICStoreProvider receiver, CancellationToken cancellationToken)
    {
        const string model = Cl2.Dicom.Network.DicomUids.StudyRootQueryRetrieveGet;
        var contexts = new List<PresentationContext> { new(1, model, TransferSyntaxUids.Uncompressed) };
        contexts.AddRange(Cl2.Dicom.Network.DicomUids.CommonStorageSopClasses.Select((uid, index) => new PresentationContext((byte)(2 * index + 3), uid, TransferSyntaxUids.Uncompressed)));
        await using var association = await OpenAsync(contexts,
            [.. Cl2.Dicom.Network.DicomUids.CommonStorageSopClasses.Select(uid => new ScpScuRoleSelection(uid, ScuRole: false, ScpRole: true))], cancellationToken);
        var final = await association.GetAsync(model, Encode(identifier, association, model), receiver, null, cancellationToken);
        await association.ReleaseAsync(cancellationToken);
        if (final.Status.IsFailure || final.Failed > 0)
        {
            throw new PacsException(ErrorCodes.PacsFailed,
                $"the PACS {Describe()} answered C-GET with {final.Status} ({final.Completed} completed, {final.Failed} failed)");
        }
        return final;
    }

    private string Describe() => $"{Options.AeTitle} at {Options.Host}:{Options.Port}";

    private async Task<DicomClientAssociation> OpenAsync(IReadOnlyList<PresentationContext> contexts, IReadOnlyList<ScpScuRoleSelection> roles,
        CancellationToken cancellationToken)
    {
        if (Options.Host.Length == 0)
        {
            throw new PacsException(ErrorCodes.PacsNotConfigured, "no PACS is configured: set Pacs:Host, Pacs:Port, Pacs:AeTitle and Pacs:CallingAeTitle");
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
