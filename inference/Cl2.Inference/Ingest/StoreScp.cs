using System.Runtime.InteropServices;
using Cl2.Dicom;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Ingest;

/// <summary>
/// C-STORE SCP of the listener. Success means durable and readable: the status is sent only after the whole data set was
/// parsed (as labeling's archive will parse it) and <see cref="InstanceStore.StoreAsync"/> returned. A data set that does
/// not parse is refused with Cannot Understand (0xC000), one without the UIDs the archive files it under, or with one that
/// is not a DICOM UID (PS3.5 §9.1), with Data Set Does Not Match SOP Class (0xA900), each with an Error Comment and a log
/// line saying why: acknowledging it would leave a study that labeling refuses for ever. A duplicate (same bytes) and a new version (same SOP Instance UID, other bytes) both answer Success:
/// PS3.4 B.2.3 has no status for either (0x0111 Duplicate SOP Instance is a failure, and the instance was kept); new
/// versions are logged and counted in <see cref="InstanceStore.NewVersionsReceived"/>.
/// The data set is received behind its meta header into a <see cref="ReceivedInstance"/> (memory while small and within
/// the listener's memory budget, a spool file beyond) and hashed as it arrives; the group commit writes it from there.
/// </summary>
public sealed class StoreScp(InstanceStore store, ArrivingStudies arriving, ListenerMemoryBudget budget, IOptions<ListenerOptions> options, ILogger<StoreScp> logger) : ICStoreProvider
{
    private static readonly DicomTag[] RequiredUids = [DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.SOPInstanceUID];

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var meta = Part10.FileMetaInformation(request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid);
        using var received = new ReceivedInstance(meta, budget, store.SpoolFolder, settings.SpoolThreshold);
        while (await request.DataSet.ReadAsync(received.GetWritable(), cancellationToken) is var read and > 0)
        {
            received.Advance(read);
            if (received.Length > settings.MaxInstanceLength)
            {
                logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle}: larger than Inference:Listener:MaxInstanceLength ({Limit} bytes)",
                    request.SopInstanceUid, request.CallingAeTitle, settings.MaxInstanceLength);
                return DimseStatus.OutOfResources;
            }
        }
        var (attributes, refusal) = Understand(received, request, settings);
        if (refusal is not null)
        {
            throw refusal; // the server answers its status with its reason as Error Comment (0000,0902)
        }
        // Arriving before it is stored: the instance is visible to completeness once its commit is done, and its received
        // time is taken before the commit's sync, so a sync slower than the quiet period would otherwise complete the study
        // at this instance while the association goes on sending the rest.
        arriving.Stored(request.AssociationId, attributes!.GetValueOrDefault("StudyInstanceUID", ""));
        try
        {
            // The group commit writes from the received buffer or spool: both are released only once StoreAsync has returned.
            await store.StoreAsync(new IncomingInstance(received.Memory, received.Digest(), meta.Length, request.SopClassUid, request.SopInstanceUid,
                request.TransferSyntaxUid, request.CallingAeTitle, attributes!, received.Spool), cancellationToken);
            return DimseStatus.Success;
        }
        catch (IOException e)
        {
            logger.LogError(e, "Could not make SOP Instance {SopInstanceUid} durable; answered Out of Resources", request.SopInstanceUid);
            return DimseStatus.OutOfResources;
        }
    }

    /// <summary>Parses the whole data set (values of a spooled one stay on disk) and takes the attributes the index keeps;
    /// or the refusal and why.</summary>
    private (Dictionary<string, string>? Attributes, CStoreRefusedException? Refusal) Understand(ReceivedInstance received, CStoreRequest request, ListenerOptions settings)
    {
        var reader = new DicomReaderOptions
        {
            MaxInflatedLength = settings.MaxInflatedLength,
            MaxElements = settings.MaxDataSetElements,
            MaxSequenceDepth = settings.MaxSequenceDepth,
        };
        DicomDataset dataSet;
        try
        {
            if (received.Spool is { } spool)
            {
                dataSet = DicomFile.Open(spool.Path, reader).Dataset;
            }
            else
            {
                MemoryMarshal.TryGetArray(received.Memory, out var buffer);
                using var bytes = new MemoryStream(buffer.Array!, buffer.Offset, buffer.Count, writable: false);
                dataSet = DicomFile.Open(bytes, reader).Dataset;
            }
        }
        catch (Exception e) when (e is DicomFormatException or EndOfStreamException or InvalidDataException or NotSupportedException)
        {
            logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle} with Cannot Understand (0xC000): its data set does not parse: {Reason}",
                request.SopInstanceUid, request.CallingAeTitle, e.Message);
            return (null, new CStoreRefusedException(DimseStatus.CannotUnderstand, "data set does not parse: " + e.Message));
        }
        var missing = RequiredUids.Where(tag => dataSet.GetStringOrDefault(tag) is not { Length: > 0 }).Select(tag => DicomDataset.Describe(tag)).ToList();
        var invalid = missing.Count > 0 ? null
            : RequiredUids.Where(tag => !DicomUid.IsValid(dataSet.GetStringOrDefault(tag))).Select(tag => (DicomTag?)tag).FirstOrDefault();
        var sopInstanceUid = dataSet.GetStringOrDefault(DicomTags.SOPInstanceUID);
        var (problem, comment) = missing.Count > 0 ? ($"it lacks {string.Join(", ", missing)}", "data set lacks " + string.Join(", ", missing))
            : invalid is { } tag ? ($"its {DicomDataset.Describe(tag)} '{dataSet.GetStringOrDefault(tag)}' is not a DICOM UID ({DicomUid.Rule})",
                $"{NameOf(tag)} is not a valid DICOM UID (PS3.5 9.1)")
            : sopInstanceUid != request.SopInstanceUid ? ($"its SOP Instance UID {sopInstanceUid} is not the C-STORE request's {request.SopInstanceUid}",
                "SOP Instance UID differs from the C-STORE request's")
            : (null, null);
        if (problem is not null)
        {
            logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle} with Data Set Does Not Match SOP Class (0xA900): {Reason}",
                request.SopInstanceUid, request.CallingAeTitle, problem);
            return (null, new CStoreRefusedException(DimseStatus.DataSetDoesNotMatchSopClass, comment!));
        }
        return (IndexedAttributes.Extract(dataSet), null);
    }

    /// <summary>The attribute's name as PS3.6 spells it, short enough for a 64-character Error Comment.</summary>
    private static string NameOf(DicomTag tag) =>
        tag == DicomTags.StudyInstanceUID ? "Study Instance UID" : tag == DicomTags.SeriesInstanceUID ? "Series Instance UID" : "SOP Instance UID";
}
