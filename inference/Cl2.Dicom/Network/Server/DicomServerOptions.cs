using System.Net;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Security;

namespace Cl2.Dicom.Network.Server;

/// <summary>Where a <see cref="DicomServer"/> listens, whom it accepts and its limits. Port 0 picks a free port.</summary>
public sealed record DicomServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    public int Port { get; init; } = 11112;

    public required AssociationPolicy Policy { get; init; }

    public DicomNetworkOptions Network { get; init; } = new();

    /// <summary>When set, every connection must complete a TLS handshake before its A-ASSOCIATE-RQ; a plain one is closed.</summary>
    public DicomTlsServerOptions? Tls { get; init; }

    /// <summary>Where each C-MOVE destination AE title listens; a destination not listed is refused (0xA801).</summary>
    public IReadOnlyDictionary<string, DicomPeer> MoveDestinations { get; init; } = new Dictionary<string, DicomPeer>();
}

/// <summary>A remote application entity's network address.</summary>
public sealed record DicomPeer(string Host, int Port);
