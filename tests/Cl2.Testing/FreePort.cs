using System.Net;
using System.Net.Sockets;

namespace Cl2.Testing;

/// <summary>Loopback ports for test peers, so tests never collide with `./cl2 up` or with each other.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
