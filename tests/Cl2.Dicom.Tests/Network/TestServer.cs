using System.Collections.Concurrent;
using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Tests.Network;

/// <summary>What a C-STORE delivered to the provider: its request fields and every data set byte.</summary>
internal sealed record ReceivedInstance(string CallingAeTitle, string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, byte[] DataSet);

/// <summary>Keeps every received data set in memory; answers Success once it has read it all.</summary>
internal sealed class CollectingStoreProvider : ICStoreProvider
{
    public ConcurrentQueue<ReceivedInstance> Received { get; } = new();

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        await request.DataSet.CopyToAsync(bytes, cancellationToken);
        Received.Enqueue(new ReceivedInstance(request.CallingAeTitle, request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid, bytes.ToArray()));
        return DimseStatus.Success;
    }
}

/// <summary>Our SCP on its own free loopback port, with the observed ends of its associations.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string AeTitle = "CL2";
    public const string KnownCaller = "TESTSCU";

    private readonly ConcurrentQueue<AssociationClosedEventArgs> _closed = new();
    private readonly SemaphoreSlim _closedSignal = new(0);

    private TestServer(DicomServer server, int port, CollectingStoreProvider store)
    {
        Server = server;
        Port = port;
        Store = store;
        server.AssociationClosed += (_, e) =>
        {
            _closed.Enqueue(e);
            _closedSignal.Release();
        };
    }

    public DicomServer Server { get; }
    public int Port { get; }
    public CollectingStoreProvider Store { get; }

    public static AssociationPolicy DefaultPolicy { get; } = new()
    {
        AeTitle = AeTitle,
        AllowedCallingAeTitles = new HashSet<string> { KnownCaller, AeTitle, "ECHOSCU", "STORESCU", "FINDSCU", "GETSCU" },
        AbstractSyntaxes = new HashSet<string> { DicomUids.Verification.Value, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value },
        AcceptAllStorageSopClasses = true,
        TransferSyntaxes = DicomTransferSyntax.StorageDefaultUids,
    };

    public static async Task<TestServer> StartAsync(DicomNetworkOptions? network = null, AssociationPolicy? policy = null,
        ICFindProvider? find = null, ICGetProvider? get = null)
    {
        var store = new CollectingStoreProvider();
        var server = new DicomServer(new DicomServerOptions
        {
            BindAddress = IPAddress.Loopback,
            // Port 0: the kernel picks a free port at bind time, so no other process can take it between choice and bind.
            Port = 0,
            Policy = policy ?? DefaultPolicy,
            Network = network ?? new DicomNetworkOptions(),
        }, storeProvider: store, findProvider: find, getProvider: get);
        await server.StartAsync(CancellationToken.None);
        return new TestServer(server, server.Port, store);
    }

    /// <summary>The next association end the server reports, within <paramref name="timeout"/>.</summary>
    public async Task<AssociationClosedEventArgs> NextClosedAsync(TimeSpan timeout)
    {
        if (!await _closedSignal.WaitAsync(timeout))
        {
            throw new TimeoutException($"no association ended within {timeout}");
        }
        _closed.TryDequeue(out var closed);
        return closed!;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        _closedSignal.Dispose();
    }
}
