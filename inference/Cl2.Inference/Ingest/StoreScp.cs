using System.Buffers;
using System.Security.Cryptography;
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
/// The data set is received straight into one pooled buffer behind its meta header and hashed as it arrives; only the
/// attributes the index needs are parsed (<see cref="IndexedAttributes.ReaderOptions"/>), so pixel data is copied once,
/// off the association, and then written from that buffer by the group commit.
/// </summary>
public sealed class StoreScp(InstanceStore store, IOptions<ListenerOptions> options, ILogger<StoreScp> logger) : ICStoreProvider
{
    private const int InitialCapacity = 64 * 1024;

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        var meta = Part10.FileMetaInformation(request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid);
        var limit = options.Value.MaxInstanceLength;
        var buffer = ArrayPool<byte>.Shared.Rent(meta.Length + InitialCapacity);
        try
        {
            meta.CopyTo(buffer, 0);
            var length = meta.Length;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(meta);
            while (true)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(buffer, length, (int)Math.Min(2L * buffer.Length, Array.MaxLength));
                }
                var read = await request.DataSet.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                hash.AppendData(buffer, length, read);
                length += read;
                if (length > limit)
                {
                    logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle}: larger than Inference:Listener:MaxInstanceLength ({Limit} bytes)",
                        request.SopInstanceUid, request.CallingAeTitle, limit);
                    return DimseStatus.OutOfResources;
                }
            }
            Dictionary<string, string> attributes;
            try
            {
                using var parse = new MemoryStream(buffer, 0, length, writable: false);
                attributes = IndexedAttributes.Extract(DicomFile.Open(parse, IndexedAttributes.ReaderOptions).Dataset);
            }
            catch (DicomFormatException e)
            {
                logger.LogWarning("Refused SOP Instance {SopInstanceUid} from {CallingAeTitle}: {Reason}", request.SopInstanceUid, request.CallingAeTitle, e.Message);
                return DimseStatus.CannotUnderstand;
            }
            try
            {
                // The group commit writes from this buffer: it goes back to the pool only once StoreAsync has returned.
                await store.StoreAsync(new IncomingInstance(buffer.AsMemory(0, length), Convert.ToHexStringLower(hash.GetHashAndReset()), meta.Length,
                    request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid, request.CallingAeTitle, attributes), cancellationToken);
                return DimseStatus.Success;
            }
            catch (IOException e)
            {
                logger.LogError(e, "Could not make SOP Instance {SopInstanceUid} durable; answered Out of Resources", request.SopInstanceUid);
                return DimseStatus.OutOfResources;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int used, int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
