using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Where the PACS sends what our C-MOVEs ask for (started only when Pacs:RetrieveMethod is CMove): a storage SCP that
/// answers to the move destination AE title, accepts associations from the PACS's AE title only, and stores an instance
/// only if one of our moves expects it (<see cref="PacsMoves"/>); anything else is refused with Not Authorized.
/// </summary>
public sealed partial class PacsStorageScp(IOptions<PacsOptions> options, PacsMoves moves, ILogger<PacsStorageScp> logger)
    : IHostedService, ICStoreProvider, IAsyncDisposable
{
    private DicomServer? _server;

    /// <summary>The bound port (the configured one, or the one the system chose for port 0).</summary>
    public int Port => Volatile.Read(ref _server)?.Port ?? throw new InvalidOperationException("the storage SCP runs only with Pacs:RetrieveMethod CMove");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RetrieveMethod is not PacsRetrieveMethod.CMove)
        {
            return;
        }
        var server = new DicomServer(new DicomServerOptions
        {
            BindAddress = IPAddress.Parse(settings.StorageScpBindAddress),
            Port = settings.StorageScpPort,
            Policy = new AssociationPolicy
            {
                AeTitle = settings.EffectiveMoveDestination,
                AllowedCallingAeTitles = new HashSet<string> { settings.AeTitle },
                AbstractSyntaxes = new HashSet<string> { DicomUids.Verification.Value },
                AcceptAllStorageSopClasses = true,
                TransferSyntaxes = DicomTransferSyntax.UncompressedUids,
            },
        }, storeProvider: this);
        await server.StartAsync(cancellationToken);
        _server = server;
        Listening(logger, settings.EffectiveMoveDestination, settings.StorageScpBindAddress, server.Port, settings.AeTitle);
    }

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        var ours = options.Value.CallingAeTitle;
        if (request.MoveOriginatorAeTitle?.Trim() is { Length: > 0 } originator && originator != ours)
        {
            Refused(logger, request.SopInstanceUid, request.CallingAeTitle, $"the move was asked for by {originator}, not by us ({ours})");
            return DimseStatus.NotAuthorized;
        }
        if (moves.Claim(request.SopInstanceUid) is not { } receiver)
        {
            Refused(logger, request.SopInstanceUid, request.CallingAeTitle, "no running import of ours asked for it (or it arrived already)");
            return DimseStatus.NotAuthorized;
        }
        return await receiver.OnCStoreAsync(request, cancellationToken);
    }

    /// <summary>Idempotent: the host stops its services and then disposes the container, which would stop us again.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Information, Message = "PACS storage SCP {AeTitle} on {Address}:{Port}, for C-MOVEs from {PacsAeTitle}")]
    private static partial void Listening(ILogger logger, string aeTitle, string address, int port, string pacsAeTitle);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused instance {SopInstanceUid} sent by {CallingAeTitle}: {Reason}")]
    private static partial void Refused(ILogger logger, string sopInstanceUid, string callingAeTitle, string reason);
}
