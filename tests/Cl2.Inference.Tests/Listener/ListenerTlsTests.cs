using System.Globalization;

namespace Cl2.Inference.Tests.Listener;

/// <summary>Issue 17 point 5: DICOM secure transport (PS3.15 B.1) on the listener, with DCMTK's storescu/echoscu +tls as
/// the reference requestor and certificates the test makes.</summary>
public sealed class ListenerTlsTests
{
    private static readonly TestCertificateAuthority Authority = TestCertificateAuthority.Create("hospital");
    private static readonly IssuedCertificate ListenerCertificate = Authority.Issue("listener");
    private static readonly IssuedCertificate ModalityCertificate = Authority.Issue("modality");

    private static (string, string)[] Tls(params (string Key, string Value)[] more) =>
    [
        ("Tls:Enabled", "true"), ("Tls:CertificatePath", ListenerCertificate.CertificatePath), ("Tls:PrivateKeyPath", ListenerCertificate.KeyPath),
        ("Tls:TrustedCertificatesPath", Authority.CertificatePath), .. more,
    ];

    /// <summary>DCMTK's tls options: our key and certificate, and the authority that vouches for the listener.</summary>
    private static string[] DcmtkTls(IssuedCertificate certificate, string trusted) => ["+tls", certificate.KeyPath, certificate.CertificatePath, "+cf", trusted];

    private static async Task<ProcessResult> StoreAsync(int port, params string[] tls)
    {
        var path = await Corpus.DcmtkEncodedCopyAsync("MR_small.dcm", Directory.CreateTempSubdirectory("cl2-listener-send-").FullName);
        return await Dcmtk.RunAsync("storescu", [.. tls, "-aet", "MODALITY", "-aec", "CL2", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), path]);
    }

    [Fact]
    public async Task storescu_over_tls_stores_into_a_listener_that_speaks_only_tls()
    {
        await using var host = ListenerHost.Start(Tls());

        var store = await StoreAsync(host.Port, DcmtkTls(ModalityCertificate, Authority.CertificatePath));

        Assert.True(store.ExitCode == 0, store.Output + store.Error);
        Assert.Single(host.Store.Studies());
    }

    [Fact]
    public async Task a_plain_association_is_refused_where_tls_is_required()
    {
        var log = new CapturedLog();
        // A minute for the A-ASSOCIATE-RQ: on a loaded machine storescu's first bytes may come after the default 5 s, and
        // the listener would then close the connection for silence instead of for the failed handshake this test is about.
        await using var host = ListenerHost.Start(log, Tls(("AssociateRequestTimeout", "00:01:00")));

        var store = await StoreAsync(host.Port);

        Assert.NotEqual(0, store.ExitCode);
        Assert.Empty(host.Store.Studies());
        await log.LineAsync("Warning", "TLS handshake with the requestor failed", "Inference:Listener:Tls");
    }

    [Fact]
    public async Task a_requestor_whose_certificate_no_trusted_authority_issued_is_refused()
    {
        var stranger = TestCertificateAuthority.Create("elsewhere", Authority.Folder).Issue("stranger");
        await using var host = ListenerHost.Start(Tls());

        var store = await StoreAsync(host.Port, DcmtkTls(stranger, Authority.CertificatePath));

        Assert.NotEqual(0, store.ExitCode);
        Assert.Empty(host.Store.Studies());
    }

    [Fact]
    public async Task tls_on_a_port_of_its_own_leaves_plain_dicom_on_the_listeners_port()
    {
        await using var host = ListenerHost.Start(Tls(("Tls:Port", "0")));

        var plain = await StoreAsync(host.Port);
        var secure = await StoreAsync(host.TlsPort, DcmtkTls(ModalityCertificate, Authority.CertificatePath));

        Assert.True(plain.ExitCode == 0, plain.Output + plain.Error);
        Assert.True(secure.ExitCode == 0, secure.Output + secure.Error);
    }

    [Fact]
    public void a_missing_certificate_file_stops_the_start_with_what_to_provide()
    {
        var failure = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => FailingStart.Run(() =>
        {
            using var host = ListenerHost.Start(("Tls:Enabled", "true"), ("Tls:CertificatePath", "/nonexistent/listener.pem"), ("Tls:PrivateKeyPath", ListenerCertificate.KeyPath));
        }));

        Assert.Contains("Inference:Listener:Tls:CertificatePath '/nonexistent/listener.pem' is not a file", failure.Message, StringComparison.Ordinal);
    }
}
