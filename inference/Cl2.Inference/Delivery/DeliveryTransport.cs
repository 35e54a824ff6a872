using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Web;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Delivery;

/// <summary>A destination did not take a delivery's objects (an attempt that failed), and why.</summary>
public sealed class DeliveryRefusedException(string message) : Exception(message);

/// <summary>
/// How a delivery's stored objects reach its destination: C-STORE (Storage SCU, one association per attempt, each object in
/// its own transfer syntax) to a PACS, an AE or XNAT's DICOM receiver; STOW-RS to labeling's archive. An attempt succeeds
/// only when the destination took every object (Success, or a Warning status); anything else throws.
/// </summary>
public sealed class DeliveryTransport(IOptions<DeliveryOptions> options, IOptions<ListenerOptions> listener, IHttpClientFactory httpClients)
{
    public const string ArchiveClient = "delivery-archive";

    public Task SendAsync(OutboxDelivery delivery, DeliveryDestinationOptions destination, IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        destination.Kind switch
        {
            DeliveryKind.Archive => StowAsync(delivery, paths, cancellationToken),
            DeliveryKind.SendingPacs => SendingPacs(delivery, destination) switch
            {
                var (host, port, calledAeTitle) => StoreAsync(host, port, calledAeTitle, paths, cancellationToken),
            },
            _ => StoreAsync(destination.Host.Trim(), destination.Port, delivery.CalledAeTitle ?? destination.CalledAeTitle.Trim(), paths, cancellationToken),
        };

    private (string Host, int Port, string CalledAeTitle) SendingPacs(OutboxDelivery delivery, DeliveryDestinationOptions destination) =>
        listener.Value.ParsedMoveDestinations().TryGetValue(delivery.CallingAeTitle, out var peer)
            ? (peer.Host, peer.Port, delivery.CalledAeTitle ?? delivery.CallingAeTitle)
            : throw new DeliveryRefusedException($"{destination.Name} sends results back to the AE that sent the study, '{delivery.CallingAeTitle}', " +
                $"and Inference:Listener:MoveDestinations names no host:port for it; add \"{delivery.CallingAeTitle}\": \"host:port\" there.");

    private async Task StoreAsync(string host, int port, string calledAeTitle, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = new DicomClientOptions
        {
            CallingAeTitle = settings.CallingAeTitle.Length > 0 ? settings.CallingAeTitle : listener.Value.AeTitle,
            CalledAeTitle = calledAeTitle,
        };
        var headers = new List<Part10FileHeader>();
        foreach (var path in paths)
        {
            headers.Add(await Part10FileHeader.ReadAsync(path, cancellationToken));
        }
        await using var association = await DicomClientAssociation.OpenAsync(host, port, client, StoreScu.ProposeContexts(headers), cancellationToken);
        for (var i = 0; i < paths.Count; i++)
        {
            var status = await association.StoreFileAsync(paths[i], cancellationToken);
            if (!status.IsSuccess && !status.IsWarning)
            {
                throw new DeliveryRefusedException($"{calledAeTitle} at {host}:{port} answered C-STORE of SOP Instance {headers[i].MediaStorageSopInstanceUid} " +
                    $"with status {status}");
            }
        }
        await association.ReleaseAsync(cancellationToken);
    }

    private async Task StowAsync(OutboxDelivery delivery, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var archive = new DicomWebClient(httpClients.CreateClient(ArchiveClient));
        var answer = await archive.StoreFilesAsync(paths, delivery.StudyInstanceUid, cancellationToken);
        var stored = answer.Stored.Select(instance => instance.SopInstanceUid).ToHashSet();
        if (delivery.Objects.FirstOrDefault(sent => !stored.Contains(sent.SopInstanceUid)) is { } refused)
        {
            var reason = answer.Failed.FirstOrDefault(failed => failed.SopInstanceUid == refused.SopInstanceUid)?.FailureReason;
            throw new DeliveryRefusedException($"labeling's archive did not store SOP Instance {refused.SopInstanceUid} (HTTP {(int)answer.Status}" +
                $"{(reason is { } code ? $", Failure Reason 0x{code:X4}" : "")}); see labeling's log");
        }
    }
}
