using System.Net.Sockets;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>A deliberately bad peer: a bare TCP client that writes whatever bytes a test gives it.</summary>
internal sealed class RawPeer : IDisposable
{
    private readonly TcpClient _tcp;

    private RawPeer(TcpClient tcp)
    {
        _tcp = tcp;
        // Taken once: TcpClient refuses GetStream after a half-close.
        Stream = tcp.GetStream();
    }

    public NetworkStream Stream { get; }

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawPeer(tcp);
    }

    public async Task SendAsync(byte[] bytes) => await Stream.WriteAsync(bytes);

    /// <summary>Stops sending (FIN) but keeps reading, so whatever the server answers still arrives.</summary>
    public void ShutdownSend() => _tcp.Client.Shutdown(SocketShutdown.Send);

    /// <summary>A valid A-ASSOCIATE-RQ for Verification, and the server's A-ASSOCIATE-AC.</summary>
    public async Task AssociateAsync(string callingAeTitle = TestServer.KnownCaller)
    {
        await SendAsync(PduEncoder.Encode(new AAssociateRq(TestServer.AeTitle, callingAeTitle,
            [new PresentationContext(1, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])], new UserInformation(16384))));
        var reply = await new PduReader(Stream, new DicomNetworkOptions()).ReadAsync(TimeSpan.FromSeconds(5), "A-ASSOCIATE-AC", CancellationToken.None);
        Assert.IsType<AAssociateAc>(reply);
    }

    /// <summary>Everything the server sends until it closes the connection; fails if it does not close in time.</summary>
    public async Task<byte[]> ReadUntilClosedAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await Stream.ReadAsync(buffer, limit.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the server did not close the connection within {timeout}");
        }
        return received.ToArray();
    }

    public void Dispose() => _tcp.Dispose();
}
