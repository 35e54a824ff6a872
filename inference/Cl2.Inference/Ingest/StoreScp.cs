using Cl2.Dicom;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Ingest;

/// <summary>
/// C-STORE SCP of the listener. Success means durable: the status is sent only after <see cref="InstanceStore.StoreAsync"/>
/// returned. A duplicate (same bytes) and a new version (same SOP Instance UID, other bytes) both answer Success: PS3.4
/// B.2.3 has no status for either (0x0111 Duplicate SOP Instance is a failure, and the instance was kept); new versions
/// are logged and counted in <see cref="InstanceStore.NewVersionsReceived"/>.
/// </summary>
public sealed class StoreScp(InstanceStore store, IOptions<ListenerOptions> options, ILogger<StoreScp> logger) : ICStoreProvider
{
    private const int CopyBlock = 64 * 1024;

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        var meta = Part10.FileMetaInformation(request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid);
        using var bytes = new MemoryStream(meta.Length + CopyBlock);
        bytes.Write(meta);
        if (!await CopyWithinLimitAsync(request.DataSet, bytes, options.Value.MaxInstanceLength, cancellationToken))
        {
            logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle}: larger than Inference:Listener:MaxInstanceLength ({Limit} bytes)",
                request.SopInstanceUid, request.CallingAeTitle, options.Value.MaxInstanceLength);
            return DimseStatus.OutOfResources;
        }
        var part10 = bytes.GetBuffer().AsMemory(0, (int)bytes.Length);
        Dictionary<string, string> attributes;
        try
        {
            using var parse = new MemoryStream(bytes.GetBuffer(), 0, (int)bytes.Length, writable: false);
            attributes = IndexedAttributes.Extract(DicomFile.Open(parse).Dataset);
        }
        catch (DicomFormatException e)
        {
            logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle}: {Reason}", request.SopInstanceUid, request.CallingAeTitle, e.Message);
            return DimseStatus.CannotUnderstand;
        }
        try
        {
            await store.StoreAsync(new IncomingInstance(part10, meta.Length, request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid,
                request.CallingAeTitle, attributes), cancellationToken);
            return DimseStatus.Success;
        }
        catch (IOException e)
        {
            logger.LogError(e, "Could not make SOP Instance {SopInstanceUid} durable; answered Out of Resources", request.SopInstanceUid);
            return DimseStatus.OutOfResources;
        }
    }

    private static async Task<bool> CopyWithinLimitAsync(Stream source, MemoryStream target, long limit, CancellationToken cancellationToken)
    {
        var block = new byte[CopyBlock];
        int read;
        while ((read = await source.ReadAsync(block, cancellationToken)) > 0)
        {
            if (target.Length + read > limit)
            {
                return false;
            }
            target.Write(block, 0, read);
        }
        return true;
    }
}
