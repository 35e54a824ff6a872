using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cl2.Inference.Processing;
using Cl2.Labeling.Client;
using Cl2.Inference.Serving;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Delivery;

/// <summary>
/// Where inference runs as replicas (<see cref="ReplicaOptions.ClaimThroughLabeling"/>), a delivery is sent only under a
/// lease labeling gives (<c>claimDelivery</c>, a decision on the result's stream): the first claim stores the delivery's
/// objects as blobs in labeling, so that when the holder dies (or stalls past
/// <see cref="ReplicaOptions.DeliveryLeaseSeconds"/>) another replica finds the delivery (<c>expiredDeliveryLeases</c>),
/// claims it, copies its objects into its own outbox and sends them. Labeling records one success per result and
/// destination; a destination may get the objects twice only when a holder died after sending and before recording.
/// </summary>
public sealed class DeliveryLeases(DeliveryOutbox outbox, IHttpClientFactory httpClients, IServiceProvider services, IOptions<ReplicaOptions> options,
    ILogger<DeliveryLeases> logger)
{
    /// <summary>Deliveries whose objects this process stored in labeling already (a renewal sends none again).</summary>
    private readonly ConcurrentDictionary<string, bool> _uploaded = new(StringComparer.Ordinal);

    public bool IsOn => options.Value.ClaimThroughLabeling;

    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.DeliveryLeaseSeconds);

    /// <summary>Claims the delivery for this replica, or renews its lease; the first time, its objects go to labeling's blob store.</summary>
    /// <exception cref="LabelingApiException">Labeling refused (INFERENCE_RESULT_NOT_FOUND while the result is not recorded yet).</exception>
    public async Task<DeliveryClaimInfo> ClaimAsync(OutboxDelivery delivery, CancellationToken cancellationToken)
    {
        if (!_uploaded.ContainsKey(delivery.Id))
        {
            var blobs = new BlobClient(httpClients.CreateClient(ModelRunners.BlobClientName));
            foreach (var stored in delivery.Objects)
            {
                await blobs.UploadAsync(outbox.ObjectPath(stored), cancellationToken);
            }
            _uploaded[delivery.Id] = true;
        }
        return await Labeling().ClaimDeliveryAsync(new ClaimDeliveryInput(delivery.ResultId, delivery.Destination, options.Value.ResolvedName,
            options.Value.DeliveryLeaseSeconds, [.. delivery.Objects.Select(stored => new DeliveryObjectInfo("sha256:" + stored.Digest, stored.SopInstanceUid))],
            delivery.CallingAeTitle, delivery.CalledAeTitle), cancellationToken);
    }

    /// <summary>Every delivery of the result in this outbox, claimed: labeling knows them before the study counts as processed.</summary>
    public async Task ClaimResultAsync(Guid resultId, CancellationToken cancellationToken)
    {
        foreach (var delivery in outbox.Undelivered().Where(delivery => delivery.ResultId == resultId && delivery.State == OutboxState.Pending))
        {
            await ClaimAsync(delivery, cancellationToken);
        }
    }

    /// <summary>
    /// Takes over the deliveries whose holder let the lease run out: claims each for this replica and copies its objects
    /// into the outbox, where the sender sends them. Returns how many were taken over.
    /// </summary>
    public async Task<int> RescueAsync(CancellationToken cancellationToken)
    {
        var taken = 0;
        foreach (var expired in await Labeling().ExpiredDeliveryLeasesAsync(20, cancellationToken))
        {
            var id = OutboxDelivery.IdOf(expired.InferenceResultId, expired.Destination);
            if (outbox.Find(id) is not null)
            {
                continue; // this replica's own (waiting to retry): its sender claims it again when it is due
            }
            var claim = await Labeling().ClaimDeliveryAsync(new ClaimDeliveryInput(expired.InferenceResultId, expired.Destination, options.Value.ResolvedName,
                options.Value.DeliveryLeaseSeconds, expired.Objects, expired.CallingAeTitle, expired.CalledAeTitle), cancellationToken);
            if (!claim.Granted)
            {
                continue; // another replica took it first, or it ended meanwhile
            }
            var blobs = new BlobClient(httpClients.CreateClient(ModelRunners.BlobClientName));
            var objects = new List<byte[]>(expired.Objects.Count);
            foreach (var stored in expired.Objects)
            {
                var bytes = await blobs.ReadAsync(stored.Digest, cancellationToken);
                if ("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)) != stored.Digest)
                {
                    throw new InvalidDataException($"blob {stored.Digest} (SOP Instance {stored.SopInstanceUid}) read from labeling has other bytes");
                }
                objects.Add(bytes);
            }
            _uploaded[id] = true;
            if (await outbox.AdoptAsync(expired.InferenceResultId, expired.Destination, expired.StudyInstanceUid, expired.CallingAeTitle, expired.CalledAeTitle,
                objects, cancellationToken))
            {
                taken++;
                logger.LogWarning("Took over the delivery of result {ResultId} of study {StudyInstanceUid} to {Destination} from replica {Replica}, " +
                    "whose lease ran out at {LeaseExpiresAt}", expired.InferenceResultId, expired.StudyInstanceUid, expired.Destination, expired.Replica,
                    expired.LeaseExpiresAt);
            }
        }
        return taken;
    }

    private LabelingClient Labeling() => services.GetRequiredService<LabelingClient>();
}
