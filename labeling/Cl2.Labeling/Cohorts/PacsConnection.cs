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
    /// <summary>The storage classes we take the SCP role for on a C-GET association (an association holds at most 128 contexts).</summary>
    private static readonly string[] StorageSopClasses =
    [
        .. new[]
        {
            Cl2.Dicom.DicomUids.ComputedRadiographyImageStorage, Cl2.Dicom.DicomUids.CTImageStorage, Cl2.Dicom.DicomUids.EnhancedCTImageStorage,
            Cl2.Dicom.DicomUids.MRImageStorage, Cl2.Dicom.DicomUids.EnhancedMRImageStorage, Cl2.Dicom.DicomUids.UltrasoundImageStorage,
            Cl2.Dicom.DicomUids.UltrasoundMultiFrameImageStorage, Cl2.Dicom.DicomUids.SecondaryCaptureImageStorage,
            Cl2.Dicom.DicomUids.DigitalXRayImageStorageForPresentation, Cl2.Dicom.DicomUids.DigitalMammographyXRayImageStorageForPresentation,
            Cl2.Dicom.DicomUids.XRayAngiographicImageStorage, Cl2.Dicom.DicomUids.NuclearMedicineImageStorage,
            Cl2.Dicom.DicomUids.PositronEmissionTomographyImageStorage, Cl2.Dicom.DicomUids.SegmentationStorage,
            Cl2.Dicom.DicomUids.BasicTextSRStorage, Cl2.Dicom.DicomUids.EnhancedSRStorage, Cl2.Dicom.DicomUids.ComprehensiveSRStorage,
            Cl2.Dicom.DicomUids.RTImageStorage, Cl2.Dicom.DicomUids.RTDoseStorage, Cl2.Dicom.DicomUids.RTStructureSetStorage,
            Cl2.Dicom.DicomUids.RTPlanStorage,
        }.Select(uid => uid.Value),
    ];

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
        contexts.AddRange(StorageSopClasses.Select((uid, index) => new PresentationContext((byte)(2 * index + 3), uid, TransferSyntaxUids.Uncompressed)));
        await using var association = await OpenAsync(contexts,
            [.. StorageSopClasses.Select(uid => new ScpScuRoleSelection(uid, ScuRole: false, ScpRole: true))], cancellationToken);
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
