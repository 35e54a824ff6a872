using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// Issue 14's probe: 32 silent TCP connections took every association slot, and echoscu got "Local Limit Exceeded" for
/// 30 s. Now one peer address holds at most Inference:Listener:MaxAssociationsPerAddress connections (the rest are closed
/// at once), and a connection that sends no A-ASSOCIATE-RQ is closed after Inference:Listener:AssociateRequestTimeout.
/// Loopback is 127.0.0.0/8, so the silent peers connect from 127.0.0.2 and echoscu from 127.0.0.1: two addresses.
/// </summary>
public sealed class ConnectionLimitTests
{
    private const int SilentConnections = 32;

    private static async Task<List<TcpClient>> OpenSilentConnectionsAsync(ListenerHost host, IPAddress from)
    {
        var connections = new List<TcpClient>();
        for (var i = 0; i < SilentConnections; i++)
        {
            var tcp = new TcpClient(new IPEndPoint(from, 0));
            await tcp.ConnectAsync(IPAddress.Loopback, host.Port);
            connections.Add(tcp);
        }
        return connections;
    }

    private static async Task<ProcessResult> EchoAsync(ListenerHost host) =>
        await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Reads until the listener closes the connection (0 bytes or a reset) or <paramref name="within"/> passes.</summary>
    private static async Task<bool> ClosedWithinAsync(TcpClient tcp, TimeSpan within)
    {
        using var limit = new CancellationTokenSource(within);
        var scratch = new byte[256];
        try
        {
            while (await tcp.GetStream().ReadAsync(scratch, limit.Token) > 0)
            {
            }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task echoscu_is_served_while_another_address_holds_thirty_two_silent_connections()
    {
        var log = new CapturedLog();
        await using var host = ListenerHost.Start(log);
        var silent = await OpenSilentConnectionsAsync(host, IPAddress.Parse("127.0.0.2"));

        var echo = await EchoAsync(host);

        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        await log.LineAsync("Warning", "refused a connection from 127.0.0.2", "MaxAssociationsPerAddress");
        silent.ForEach(tcp => tcp.Dispose());
    }

    [Fact]
    public async Task a_connection_that_sends_no_associate_request_is_closed_after_the_associate_request_timeout()
    {
        var log = new CapturedLog();
        await using var host = ListenerHost.Start(log, ("AssociateRequestTimeout", "00:00:01"));
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, host.Port);

        // Far more than the timeout, far less than the 30 s ARTIM timer that used to apply.
        var closed = await ClosedWithinAsync(silent, TimeSpan.FromSeconds(15));

        Assert.True(closed, "the listener kept a silent connection open past Inference:Listener:AssociateRequestTimeout");
        await log.LineAsync("Warning", "sent no A-ASSOCIATE-RQ", "AssociateRequestTimeout");
    }

    [Fact]
    public async Task echoscu_from_the_address_of_thirty_two_silent_connections_is_served_once_they_time_out()
    {
        await using var host = ListenerHost.Start(("AssociateRequestTimeout", "00:00:01"));
        var silent = await OpenSilentConnectionsAsync(host, IPAddress.Loopback);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        var echo = await EchoAsync(host);
        while (echo.ExitCode != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            echo = await EchoAsync(host);
        }

        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        silent.ForEach(tcp => tcp.Dispose());
    }
}
