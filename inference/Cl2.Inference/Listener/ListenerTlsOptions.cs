using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cl2.Dicom.Network.Security;

namespace Cl2.Inference.Listener;

/// <summary>DICOM secure transport for the listener (section <c>Inference:Listener:Tls</c>, PS3.15 B.1 with TLS 1.2 or later).</summary>
public sealed class ListenerTlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>Where TLS listens. Unset: on the listener's <see cref="ListenerOptions.Port"/>, which then speaks only TLS (a
    /// plain association there fails). Set: TLS here, and plain DICOM stays on <see cref="ListenerOptions.Port"/>
    /// (the registered port for DICOM over TLS is 2762; 0 lets the system pick one).</summary>
    public int? Port { get; set; }

    /// <summary>Our certificate, PEM.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>Its private key, PEM (PKCS#8 or PKCS#1), unencrypted: protect the file, not the key.</summary>
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>Required (default): a requestor must present a certificate we trust. Optional: asked for and checked when
    /// presented. None: not asked for.</summary>
    public ClientCertificateMode ClientCertificate { get; set; } = ClientCertificateMode.Required;

    /// <summary>PEM file of the certificates (CAs or the peers' own) a requestor's certificate must chain to; empty: the
    /// system's trust store.</summary>
    public string TrustedCertificatesPath { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(int plainPort)
    {
        if (!Enabled)
        {
            yield break;
        }
        const string Section = ListenerOptions.Section + ":Tls";
        if (Port is { } port && (port is < 0 or > 65535 || (port == plainPort && port != 0)))
        {
            yield return new ValidationResult($"{Section}:Port {port} must be 0-65535 and differ from Inference:Listener:Port (leave it unset to speak only TLS on that port).");
        }
        foreach (var (name, path) in new[] { ("CertificatePath", CertificatePath), ("PrivateKeyPath", PrivateKeyPath) })
        {
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                yield return new ValidationResult($"{Section}:{name} '{path}' is not a file; TLS needs our certificate and its private key as PEM files.");
            }
        }
        if (TrustedCertificatesPath.Length > 0 && !File.Exists(TrustedCertificatesPath))
        {
            yield return new ValidationResult($"{Section}:TrustedCertificatesPath '{TrustedCertificatesPath}' is not a file (leave it empty to trust the system's store).");
        }
    }

    /// <summary>Loads the certificate, key and trust anchors; a file that is no PEM of the kind fails with what to fix.</summary>
    public DicomTlsServerOptions Load()
    {
        try
        {
            var trusted = new X509Certificate2Collection();
            if (TrustedCertificatesPath.Length > 0)
            {
                trusted.ImportFromPemFile(TrustedCertificatesPath);
            }
            return new DicomTlsServerOptions
            {
                Certificate = X509Certificate2.CreateFromPemFile(CertificatePath, PrivateKeyPath),
                ClientCertificate = ClientCertificate,
                TrustedCertificates = trusted,
            };
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{ListenerOptions.Section}:Tls: cannot load the certificate {CertificatePath} with key {PrivateKeyPath} " +
                $"or the trusted certificates {TrustedCertificatesPath}: {e.Message}. They must be PEM files and the key must match the certificate.", e);
        }
    }
}
