using System.Net;
using System.Net.Sockets;

namespace Cl2.Testing;

/// <summary>
/// Loopback ports for test peers, so tests never collide with `./cl2 up` or with each other. A port is handed to a
/// process that binds it later (PostgreSQL, Orthanc, a service), so the gap between choosing and binding matters: a
/// port the system lends for "any free port" is an ephemeral one, which the system may give the next outgoing connection
/// of any process in that gap (seen in CI: "address already in use"). So ports come from below the ephemeral range,
/// chosen at random, each reserved for this process's lifetime by a lock file that other test processes (two test
/// projects run at once) respect, and checked free by binding it.
/// </summary>
public static class FreePort
{
    private const int Lowest = 20000;
    private const int HighestWanted = 32000;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Handed = [];
    private static readonly List<FileStream> Reservations = [];
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "cl2-test-ports");

    public static int Next()
    {
        var highest = Math.Min(HighestWanted, EphemeralLow() - 1);
        if (highest - Lowest < 1000)
        {
            return AnyEphemeral(); // A machine whose ephemeral range starts low: the old way.
        }
        lock (Gate)
        {
            Directory.CreateDirectory(Folder);
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Lowest, highest + 1);
                if (Handed.Contains(port) || !Reserve(port) || !CanBind(port))
                {
                    continue;
                }
                Handed.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port between {Lowest} and {highest} after 1000 tries.");
    }

    /// <summary>Held until this process exits: a lock another process cannot take (flock), released by the system then.</summary>
    private static bool Reserve(int port)
    {
        try
        {
            Reservations.Add(new FileStream(Path.Combine(Folder, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralLow()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0],
                System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return 32768;
        }
    }

    private static int AnyEphemeral()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
