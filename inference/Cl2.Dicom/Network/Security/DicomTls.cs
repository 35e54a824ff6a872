using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Cl2.Dicom.Network.Security;

/// <summary>Opens TLS over a connection for either side of an association; a failed handshake is a <see cref="DicomTlsException"/>.</summary>
public static class DicomTls
{
    public static async Task<SslStream> AcceptAsync(Stream connection, DicomTlsServerOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(connection, leaveInnerStreamOpen: false);
        var authentication = new SslServerAuthenticationOptions
        {
            ServerCertificate = options.Certificate,
            EnabledSslProtocols = options.Protocols,
            // Optional still asks: a requestor that has a certificate presents it and we check it.
            ClientCertificateRequired = options.ClientCertificate != ClientCertificateMode.None,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(options.TrustedCertificates),
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => options.ClientCertificate switch
            {
                ClientCertificateMode.None => true,
                ClientCertificateMode.Optional when certificate is null => true,
                _ => errors == SslPolicyErrors.None,
            },
        };
        await HandshakeAsync(ssl, "requestor", timeout, cancellationToken, token => ssl.AuthenticateAsServerAsync(authentication, token));
        return ssl;
    }

    public static async Task<SslStream> ConnectAsync(Stream connection, string host, DicomTlsClientOptions options, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var ssl = new SslStream(connection, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = options.TargetHost ?? host,
            EnabledSslProtocols = options.Protocols,
            ClientCertificates = options.Certificate is { } certificate ? [certificate] : null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(options.TrustedCertificates),
        };
        await HandshakeAsync(ssl, $"acceptor {host}", timeout, cancellationToken, token => ssl.AuthenticateAsClientAsync(authentication, token));
        return ssl;
    }

    private static X509ChainPolicy? ChainPolicy(X509Certificate2Collection trusted)
    {
        if (trusted.Count == 0)
        {
            return null;
        }
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(trusted);
        return policy;
    }

    private static async Task HandshakeAsync(SslStream ssl, string peer, TimeSpan timeout, CancellationToken cancellationToken,
        Func<CancellationToken, Task> handshake)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await handshake(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync();
            throw new DicomNetworkTimeoutException($"the TLS handshake with the {peer}", timeout);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync();
            throw new DicomTlsException(peer, e);
        }
    }
}

/// <summary>The TLS handshake failed: the peer spoke no TLS (a plain association where TLS is required), offered no
/// protocol or cipher we share, or presented a certificate we do not trust.</summary>
public sealed class DicomTlsException(string peer, Exception inner)
    : DicomNetworkException($"TLS handshake with the {peer} failed: {inner.Message}{(inner.InnerException is { } cause ? $" ({cause.Message})" : "")}; " +
        "check that both sides use TLS on this port, that each trusts the other's certificate (or its CA) and that the certificates have not expired", inner);
