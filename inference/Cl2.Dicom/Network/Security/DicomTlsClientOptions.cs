using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Cl2.Dicom.Network.Security;

/// <summary>DICOM secure transport for a requestor (PS3.15 B.1): whom we trust and what we present.</summary>
public sealed record DicomTlsClientOptions
{
    /// <summary>The name the acceptor's certificate must carry; null: the host we connect to.</summary>
    public string? TargetHost { get; init; }

    /// <summary>Our certificate (with its private key) for acceptors that ask for one; null presents none.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The certificates the acceptor's certificate must chain to; empty trusts the system's store.</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;
}
