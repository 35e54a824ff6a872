using System.Net;
using System.Net.Sockets;

namespace Cl2.EndToEnd.ScaleOut;

/// <summary>
/// A TCP relay in front of the PACS's DICOM port for one labeling replica: it relays the first
/// <paramref name="relayed"/> connections (associations) and then holds every later one open without a byte, as a PACS
/// link that hangs would. A replica importing through it records some studies and then stalls on the next association,
/// at a point the test knows, where it can be killed mid-import whatever the machine's speed.
/// </summary>
public sealed class StallingPacsProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StallingPacsProxy(int pacsPort, int relayed)
    {
        _listener.Start();
        _accepting = AcceptAsync(pacsPort, relayed);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the first connection past the relayed ones is held.</summary>
    public Task Stalled => _stalled.Task;

    private async Task AcceptAsync(int pacsPort, int relayed)
    {
        try
        {
            for (var count = 1; ; count++)
            {
                var caller = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(caller);
                }
                if (count > relayed)
                {
                    _stalled.TrySetResult();
                    continue;
                }
                var pacs = new TcpClient();
                await pacs.ConnectAsync(IPAddress.Loopback, pacsPort, _stop.Token);
                lock (_connections)
                {
                    _connections.Add(pacs);
                }
                _ = RelayAsync(caller.GetStream(), pacs.GetStream());
                _ = RelayAsync(pacs.GetStream(), caller.GetStream());
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Disposed.
        }
    }

    private async Task RelayAsync(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side closed or was killed; the other end sees the connection drop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            _connections.ForEach(connection => connection.Dispose());
        }
        await _accepting;
        _stop.Dispose();
    }
}
