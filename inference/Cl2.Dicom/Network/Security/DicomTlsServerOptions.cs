using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Cl2.Dicom.Network.Security;

/// <summary>Whether an acceptor asks a TLS requestor for its certificate, and whether it must present one.</summary>
public enum ClientCertificateMode
{
    /// <summary>Not asked for: any requestor that completes the handshake is served (its AE title and address still decide).</summary>
    None,

    /// <summary>Asked for; a requestor without one is served, one with a certificate we do not trust is refused.</summary>
    Optional,

    /// <summary>A requestor without a certificate we trust is refused during the handshake.</summary>
    Required,
}

/// <summary>DICOM secure transport for an acceptor (PS3.15 B.1, TLS as the BCP 195 profiles ask: TLS 1.2 or later).</summary>
public sealed record DicomTlsServerOptions
{
    /// <summary>Our certificate, with its private key.</summary>
    public required X509Certificate2 Certificate { get; init; }

    public ClientCertificateMode ClientCertificate { get; init; } = ClientCertificateMode.Required;

    /// <summary>The certificates (CAs, or the peers' own self-signed ones) a requestor's certificate must chain to; empty
    /// trusts the system's store.</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;
}
