using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Security;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;
using Cl2.Inference.Audit;
using Cl2.Inference.Ingest;
using Cl2.Inference.QueryRetrieve;
using Cl2.ServiceDefaults.Audit;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Listener;

/// <summary>
/// The inference service's DICOM front door: a <see cref="DicomServer"/> that accepts C-ECHO, C-STORE of every storage
/// SOP class into the <see cref="InstanceStore"/>, and C-FIND/C-MOVE/C-GET over what it holds. It starts after the store
/// has replayed its journal (hosted services start in registration order) and needs nothing else: not labeling.
/// </summary>
public sealed class DicomListener(IOptions<ListenerOptions> options, IOptions<InferenceOptions> inference, IHostEnvironment environment,
    StoreScp store, FindScp find, RetrieveScp retrieve, ArrivingStudies arriving, AuditTrail audit, ILogger<DicomListener> logger)
    : IHostedService, IAsyncDisposable
{
    private DicomServer? _server;
    private DicomServer? _tlsServer;

    /// <summary>The bound port of <see cref="ListenerOptions.Port"/> (the configured one, or the one the system chose for
    /// port 0); it speaks TLS when TLS is enabled without a port of its own.</summary>
    public int Port => Volatile.Read(ref _server)?.Port ?? throw new InvalidOperationException("the DICOM listener is not started");

    /// <summary>The bound TLS port when TLS has a port of its own (<see cref="ListenerTlsOptions.Port"/>); otherwise null.</summary>
    public int? TlsPort => Volatile.Read(ref _tlsServer)?.Port;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var peers = PeerTable.From(settings.Peers, environment.IsDevelopment());
        var tls = settings.Tls.Enabled ? settings.Tls.Load() : null;
        var server = new DicomServerOptions
        {
            BindAddress = IPAddress.Parse(settings.BindAddress),
            Port = settings.Port,
            Policy = new AssociationPolicy
            {
                AeTitle = settings.AeTitle,
                AdmitCaller = peers.Admit,
                AbstractSyntaxes = new HashSet<string>([DicomUids.Verification.Value, .. PeerTable.QueryRetrieveSopClasses]),
                RestrictedAbstractSyntaxes = PeerTable.QueryRetrieveSopClasses,
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
        };
        var (added, removed) = PeerConfigurationLog.Record(settings, peers, inference.Value.StoragePath, logger);
        if (added.Count + removed.Count > 0)
        {
            await audit.RecordAsync(DicomAccess.PeersChanged(added, removed));
        }
        _server = await StartServerAsync(settings.Tls.Enabled && settings.Tls.Port is null ? server with { Tls = tls } : server, cancellationToken);
        logger.LogInformation("DICOM listener {AeTitle} on {Address}:{Port}{Tls}", settings.AeTitle, settings.BindAddress, _server.Port,
            settings.Tls.Enabled && settings.Tls.Port is null ? " (TLS only)" : "");
        if (settings.Tls.Enabled && settings.Tls.Port is { } tlsPort)
        {
            _tlsServer = await StartServerAsync(server with { Port = tlsPort, Tls = tls }, cancellationToken);
            logger.LogInformation("DICOM listener {AeTitle} over TLS on {Address}:{Port}", settings.AeTitle, settings.BindAddress, _tlsServer.Port);
        }
    }

    private async Task<DicomServer> StartServerAsync(DicomServerOptions server, CancellationToken cancellationToken)
    {
        var started = new DicomServer(server, storeProvider: store, findProvider: find, getProvider: retrieve, moveProvider: retrieve);
        started.AssociationClosed += (_, closed) =>
        {
            arriving.Closed(closed.AssociationId);
            LogClosed(closed);
        };
        await started.StartAsync(cancellationToken);
        return started;
    }

    /// <summary>Every refusal leaves a warning (who, what, which setting) and an audit record (a security alert); other failed
    /// associations an information line.</summary>
    private void LogClosed(AssociationClosedEventArgs closed)
    {
        var caller = closed.CallingAeTitle ?? "(no A-ASSOCIATE-RQ)";
        var address = closed.RemoteAddress?.ToString() ?? "an unknown address";
        if (closed.RefusedAbstractSyntaxes.Count > 0 || closed.Error is PeerAddressLimitException or AssociationRejectedException or DicomTlsException)
        {
            var reason = closed.RefusedAbstractSyntaxes.Count > 0
                ? $"query/retrieve refused ({string.Join(", ", closed.RefusedAbstractSyntaxes)}): not allowed for this peer"
                : closed.Error!.Message;
            // Nobody awaits a record queued as a connection closes: a failure to queue it is logged, not lost.
            var refused = DicomAccess.Refused(closed.CallingAeTitle, closed.RemoteAddress, reason);
            UnawaitedAudit.Observe(audit.RecordAsync(refused), refused, logger);
        }
        if (closed.RefusedAbstractSyntaxes.Count > 0)
        {
            logger.LogWarning("Refused query/retrieve ({SopClasses}) to calling AE {CallingAeTitle} at {RemoteAddress}: no entry of Inference:Listener:Peers for it lists that service under QueryRetrieve",
                string.Join(", ", closed.RefusedAbstractSyntaxes), caller, address);
        }
        switch (closed.Error)
        {
            case null:
                break;
            case PeerAddressLimitException limit:
                logger.LogWarning("{Reason} (Inference:Listener:MaxAssociationsPerAddress)", limit.Message);
                break;
            case AssociationRejectedException { Reject.Reason: AssociateRejectReason.CallingAeTitleNotRecognized, Reject.Source: AssociateRejectSource.ServiceUser } rejected:
                logger.LogWarning("Rejected an association from {CallingAeTitle} at {RemoteAddress}: {Reason}; it is no entry of Inference:Listener:Peers (AE title and host)",
                    caller, address, rejected.Message);
                break;
            case AssociationRejectedException rejected:
                logger.LogWarning("Rejected an association from {CallingAeTitle} at {RemoteAddress}: {Reason}", caller, address, rejected.Message);
                break;
            case DicomTlsException tls:
                logger.LogWarning("Closed a connection from {RemoteAddress}: {Reason} (Inference:Listener:Tls)", address, tls.Message);
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
        if (Interlocked.Exchange(ref _tlsServer, null) is { } tlsServer)
        {
            await tlsServer.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
