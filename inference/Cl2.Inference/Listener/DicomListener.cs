using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Server;
using Cl2.Inference.Ingest;
using Cl2.Inference.QueryRetrieve;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Listener;

/// <summary>
/// The inference service's DICOM front door: a <see cref="DicomServer"/> that accepts C-ECHO, C-STORE of every storage
/// SOP class into the <see cref="InstanceStore"/>, and C-FIND/C-MOVE/C-GET over what it holds. It starts after the store
/// has replayed its journal (hosted services start in registration order) and needs nothing else: not labeling.
/// </summary>
public sealed class DicomListener(IOptions<ListenerOptions> options, StoreScp store, FindScp find, RetrieveScp retrieve, ILogger<DicomListener> logger)
    : IHostedService, IAsyncDisposable
{
    private static readonly HashSet<string> QueryRetrieveSopClasses =
    [
        DicomUids.PatientRootQueryRetrieveInformationModelFind.Value, DicomUids.PatientRootQueryRetrieveInformationModelMove.Value, DicomUids.PatientRootQueryRetrieveInformationModelGet.Value,
        DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, DicomUids.StudyRootQueryRetrieveInformationModelMove.Value, DicomUids.StudyRootQueryRetrieveInformationModelGet.Value,
    ];

    private DicomServer? _server;

    /// <summary>The bound port (the configured one, or the one the system chose for port 0).</summary>
    public int Port => Volatile.Read(ref _server)?.Port ?? throw new InvalidOperationException("the DICOM listener is not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _server = new DicomServer(new DicomServerOptions
        {
            BindAddress = IPAddress.Parse(settings.BindAddress),
            Port = settings.Port,
            Policy = new AssociationPolicy
            {
                AeTitle = settings.AeTitle,
                AllowedCallingAeTitles = settings.AllowedCallingAeTitles.Select(title => title.Trim()).ToHashSet(),
                AbstractSyntaxes = new HashSet<string>([DicomUids.Verification.Value, .. QueryRetrieveSopClasses]),
                RestrictedAbstractSyntaxes = QueryRetrieveSopClasses,
                CallingAeTitlesForRestricted = settings.QueryRetrieveCallingAeTitles.Select(title => title.Trim()).ToHashSet(),
                AcceptAllStorageSopClasses = true,
                TransferSyntaxes = settings.EffectiveTransferSyntaxes,
                AllowRequestorScpRole = true,
            },
            Network = new DicomNetworkOptions
            {
                MaxConcurrentAssociations = settings.MaxConcurrentAssociations,
                MaxAssociationsPerAddress = settings.MaxAssociationsPerAddress,
                AssociateRequestTimeout = settings.AssociateRequestTimeout,
            },
            MoveDestinations = settings.ParsedMoveDestinations(),
        }, storeProvider: store, findProvider: find, getProvider: retrieve, moveProvider: retrieve);
        _server.AssociationClosed += (_, closed) => LogClosed(closed);
        await _server.StartAsync(cancellationToken);
        logger.LogInformation("DICOM listener {AeTitle} on {Address}:{Port}", settings.AeTitle, settings.BindAddress, _server.Port);
    }

    /// <summary>Every refusal leaves a warning (who, what, which setting); other failed associations an information line.</summary>
    private void LogClosed(AssociationClosedEventArgs closed)
    {
        var caller = closed.CallingAeTitle ?? "(no A-ASSOCIATE-RQ)";
        if (closed.RefusedAbstractSyntaxes.Count > 0)
        {
            logger.LogWarning("Refused query/retrieve ({SopClasses}) to calling AE {CallingAeTitle}: it is not in Inference:Listener:QueryRetrieveCallingAeTitles",
                string.Join(", ", closed.RefusedAbstractSyntaxes), caller);
        }
        switch (closed.Error)
        {
            case null:
                break;
            case PeerAddressLimitException limit:
                logger.LogWarning("{Reason} (Inference:Listener:MaxAssociationsPerAddress)", limit.Message);
                break;
            case AssociationRejectedException rejected:
                logger.LogWarning("Rejected an association from {CallingAeTitle}: {Reason}", caller, rejected.Message);
                break;
            case DicomNetworkTimeoutException timeout when closed.CallingAeTitle is null:
                logger.LogWarning("Closed a connection that sent no A-ASSOCIATE-RQ: {Reason} (Inference:Listener:AssociateRequestTimeout)", timeout.Message);
                break;
            default:
                logger.LogInformation("Association with {CallingAeTitle} ended: {Reason}", caller, closed.Error.Message);
                break;
        }
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
}
