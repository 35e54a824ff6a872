using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Security;

namespace Cl2.Dicom.Tests.Network;

/// <summary>Our requestor over DICOM secure transport (PS3.15 B.1) against DCMTK's storescp +tls.</summary>
public sealed class TlsTests
{
    private static readonly TestCertificateAuthority Authority = TestCertificateAuthority.Create("pacs");
    private static readonly IssuedCertificate PacsCertificate = Authority.Issue("pacs");
    private static readonly IssuedCertificate OurCertificate = Authority.Issue("cl2");

    private static Task<StoreScpProcess> StartTlsStoreScpAsync() =>
        StoreScpProcess.StartAsync("+xa", "+tls", PacsCertificate.KeyPath, PacsCertificate.CertificatePath, "+cf", Authority.CertificatePath);

    private static DicomClientOptions Options(DicomTlsClientOptions tls) =>
        new() { CallingAeTitle = "CL2", CalledAeTitle = StoreScpProcess.AeTitle, Tls = tls };

    [Fact]
    public async Task our_scu_stores_over_tls_into_dcmtk_storescp()
    {
        await using var storescp = await StartTlsStoreScpAsync();
        var tls = new DicomTlsClientOptions { Certificate = OurCertificate.Load(), TrustedCertificates = [Authority.Certificate] };

        var results = await StoreScu.SendAsync("127.0.0.1", storescp.Port, Options(tls), [Corpus.File("CT_small.dcm")], null, CancellationToken.None);

        Assert.True(results.Single().Status?.IsSuccess, results.Single().Error);
        Assert.Single(Directory.EnumerateFiles(storescp.Folder));
    }

    [Fact]
    public async Task our_scu_refuses_an_acceptor_whose_certificate_it_does_not_trust()
    {
        await using var storescp = await StartTlsStoreScpAsync();
        var elsewhere = TestCertificateAuthority.Create("elsewhere", Authority.Folder);
        var tls = new DicomTlsClientOptions { Certificate = OurCertificate.Load(), TrustedCertificates = [elsewhere.Certificate] };

        await Assert.ThrowsAsync<DicomTlsException>(() => EchoScu.EchoAsync("127.0.0.1", storescp.Port, Options(tls), CancellationToken.None));
    }
}
