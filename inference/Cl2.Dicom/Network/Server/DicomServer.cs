using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Cl2.Dicom.Network.Server;

/// <summary>
/// A DIMSE service class provider: accepts TCP connections, negotiates associations by <see cref="DicomServerOptions.Policy"/>
/// and serves each on its own task with the registered providers. StartAsync/StopAsync match IHostedService, so a host
/// registers it with one adapter line; constructor parameters resolve from DI (absent providers stay null).
/// </summary>
public sealed class DicomServer(
    DicomServerOptions options,
    ICEchoProvider? echoProvider = null,
    ICStoreProvider? storeProvider = null,
    ICFindProvider? findProvider = null,
    ICGetProvider? getProvider = null,
    ICMoveProvider? moveProvider = null) : IAsyncDisposable
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<long, Task> _associations = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _stopping;
    private Task? _acceptLoop;
    private long _nextConnectionId;
    private int _active;

    /// <summary>Raised when an association or a connection ends, with the typed failure if it did not end cleanly.</summary>
    public event EventHandler<AssociationClosedEventArgs>? AssociationClosed;

    /// <summary>The port actually bound (differs from the options when they ask for port 0).</summary>
    public int Port => _listener?.LocalEndpoint is IPEndPoint endpoint ? endpoint.Port
        : throw new InvalidOperationException("the server is not started");

    public int ActiveAssociations => Volatile.Read(ref _active);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }
        _stopping = new CancellationTokenSource();
        _listener = new TcpListener(options.BindAddress, options.Port);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_listener, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is null || _stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync();
        _listener.Stop();
        var running = _associations.Values.Append(_acceptLoop ?? Task.CompletedTask).ToArray();
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The associations ended because we cancelled them; that is what stopping means.
        }
        _stopping.Dispose();
        _stopping = null;
        _listener = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private void Release(IPAddress address)
    {
        if (_perAddress.AddOrUpdate(address, 0, (_, count) => count - 1) <= 0)
        {
            _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before we accepted it, or no descriptors left: keep listening, without spinning.
                await Task.Delay(AcceptRetryDelay, CancellationToken.None);
                continue;
            }
            var address = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (_perAddress.AddOrUpdate(address, 1, (_, count) => count + 1) > options.Network.MaxAssociationsPerAddress)
            {
                // Closed before anything is read: a peer holding connections open costs us nothing more per attempt.
                Release(address);
                socket.Dispose();
                AssociationClosed?.Invoke(this, new AssociationClosedEventArgs(null, new PeerAddressLimitException(address, options.Network.MaxAssociationsPerAddress), null, address));
                continue;
            }
            // Nagle + delayed ACK turns every small response into a 40 ms wait (measured on loopback against DCMTK's storescu).
            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _nextConnectionId);
            var overLimit = Interlocked.Increment(ref _active) > options.Network.MaxConcurrentAssociations;
            _associations[id] = Task.Run(async () =>
            {
                try
                {
                    var association = new ServerAssociation(socket, options, echoProvider, storeProvider, findProvider, getProvider, moveProvider, id);
                    // Run first: with no subscriber, ?.Invoke would not evaluate its argument at all.
                    var closed = await association.RunAsync(overLimit, stopping);
                    AssociationClosed?.Invoke(this, closed);
                }
                finally
                {
                    Release(address);
                    Interlocked.Decrement(ref _active);
                    _associations.TryRemove(id, out _);
                }
            }, CancellationToken.None);
        }
    }
}
