using System.Net.Sockets;

namespace Cl2.Dicom.Network.Client;

/// <summary>No TCP connection to the peer: nothing listens there, or the host is unknown or unreachable.</summary>
public sealed class PeerUnreachableException(string host, int port, SocketException inner)
    : DicomNetworkException($"cannot connect to {host}:{port}: {inner.Message}; check that the peer runs and listens on that port " +
        $"and that no firewall is in between (try: ./cl2 dicom echo -aec <its AE title> {host} {port})", inner)
{
    public string Host { get; } = host;
    public int Port { get; } = port;
    public SocketError SocketError { get; } = inner.SocketErrorCode;
}
