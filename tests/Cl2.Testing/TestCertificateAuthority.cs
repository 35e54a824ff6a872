using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cl2.Testing;

/// <summary>A certificate authority made for one test (RSA 2048, SHA-256, as DCMTK's BCP 195 profile accepts), issuing
/// certificates for 127.0.0.1 that serve as TLS server and client. Everything is also written as PEM files into
/// <see cref="Folder"/>, for DCMTK and for the services' configuration.</summary>
public sealed class TestCertificateAuthority
{
    private readonly X509Certificate2 _certificate;

    private TestCertificateAuthority(X509Certificate2 certificate, string folder, string name)
    {
        _certificate = certificate;
        Folder = folder;
        CertificatePath = Path.Combine(folder, $"{name}-ca.pem");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
    }

    public string Folder { get; }

    /// <summary>The authority's own certificate (PEM): what a peer is told to trust.</summary>
    public string CertificatePath { get; }

    public X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(_certificate.RawData);

    public static TestCertificateAuthority Create(string name, string? folder = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=cl2 test CA {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return new TestCertificateAuthority(certificate, folder ?? Directory.CreateTempSubdirectory("cl2-tls-").FullName, name);
    }

    /// <summary>A certificate for <paramref name="name"/> at 127.0.0.1 / localhost, with its key; written as
    /// <c>{name}.pem</c> and <c>{name}.key</c>.</summary>
    public IssuedCertificate Issue(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(_certificate, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        var paths = new IssuedCertificate(Path.Combine(Folder, $"{name}.pem"), Path.Combine(Folder, $"{name}.key"));
        File.WriteAllText(paths.CertificatePath, issued.ExportCertificatePem());
        File.WriteAllText(paths.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return paths;
    }
}

/// <summary>A certificate and its private key as PEM files.</summary>
public sealed record IssuedCertificate(string CertificatePath, string KeyPath)
{
    public X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
}
