using System.Runtime.CompilerServices;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>C-CANCEL of a running C-FIND and C-MOVE (PS3.7 9.3.2.3, 9.3.4.3): the SCP stops and answers Cancel (0xFE00).</summary>
public sealed class CCancelTests
{
    /// <summary>Yields the same match forever, a little apart, until its token is cancelled.</summary>
    private sealed class EndlessFindProvider(byte[] match) : ICFindProvider
    {
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async IAsyncEnumerable<CFindResponse> OnCFindAsync(CFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            using var _ = cancellationToken.Register(() => Cancelled.TrySetResult());
            while (true)
            {
                await Task.Delay(20, cancellationToken);
                yield return CFindResponse.Match(match);
            }
        }
    }

    /// <summary>Answers Success to each C-STORE after a pause, so that a move is still running when it is cancelled.</summary>
    private sealed class SlowStoreProvider : ICStoreProvider
    {
        public int Stored;

        public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
        {
            await request.DataSet.CopyToAsync(Stream.Null, cancellationToken);
            await Task.Delay(100, cancellationToken);
            Interlocked.Increment(ref Stored);
            return DimseStatus.Success;
        }
    }

    private sealed class ManyInstancesMoveProvider(string path, int count) : ICMoveProvider
    {
        public async IAsyncEnumerable<RetrieveInstance> OnCMoveAsync(CMoveRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var header = await Part10FileHeader.ReadAsync(path, cancellationToken);
            for (var i = 0; i < count; i++)
            {
                yield return FilesRetrieveProvider.FromFile(path, header, $"{header.MediaStorageSopInstanceUid}.{i + 1}");
            }
        }
    }

    private static readonly byte[] Match = [0x08, 0x00, 0x52, 0x00, (byte)'C', (byte)'S', 0x06, 0x00, (byte)'S', (byte)'T', (byte)'U', (byte)'D', (byte)'Y', (byte)' '];

    [Fact]
    public async Task our_scu_cancelling_a_running_c_find_gets_the_final_status_cancel_from_our_scp()
    {
        var provider = new EndlessFindProvider(Match);
        await using var server = await TestServer.StartAsync(find: provider);
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle },
            [
                new PresentationContext(1, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid]),
                new PresentationContext(3, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
            ], CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var responses = new List<CFindResponse>();
        await foreach (var response in association.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, Match, cancel.Token))
        {
            responses.Add(response);
            if (responses.Count == 3)
            {
                await cancel.CancelAsync();
            }
        }
        var echo = await association.EchoAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal(DimseStatus.Cancel, responses[^1].Status);
        Assert.All(responses[..^1], r => Assert.Equal(DimseStatus.Pending, r.Status));
        await provider.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(DimseStatus.Success, echo); // the association goes on after the cancel
    }

    [Fact]
    public async Task findscu_cancel_stops_a_running_c_find_of_our_scp()
    {
        var provider = new EndlessFindProvider(Match);
        await using var server = await TestServer.StartAsync(find: provider);

        var result = await Dcmtk.RunAsync("findscu", ["-S", "-aet", "FINDSCU", "-aec", TestServer.AeTitle, "--cancel", "2",
            "-k", "QueryRetrieveLevel=STUDY", "127.0.0.1", server.Port.ToString()], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await provider.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task our_scu_cancelling_a_running_c_move_gets_cancel_with_the_sub_operations_not_done()
    {
        const int count = 40;
        var destinationStore = new SlowStoreProvider();
        await using var destination = new DicomServer(new DicomServerOptions { Port = 0, Policy = TestServer.DefaultPolicy with { AeTitle = TestServer.KnownCaller } }, storeProvider: destinationStore);
        await destination.StartAsync(CancellationToken.None);
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = 0,
            Policy = TestServer.DefaultPolicy with { AbstractSyntaxes = new HashSet<string> { DicomUids.StudyRootQueryRetrieveInformationModelMove.Value } },
            MoveDestinations = new Dictionary<string, DicomPeer> { [TestServer.KnownCaller] = new("127.0.0.1", destination.Port) },
        }, moveProvider: new ManyInstancesMoveProvider(Corpus.File("CT_small.dcm"), count));
        await server.StartAsync(CancellationToken.None);
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle },
            [new PresentationContext(1, DicomUids.StudyRootQueryRetrieveInformationModelMove.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var final = await association.MoveAsync(DicomUids.StudyRootQueryRetrieveInformationModelMove.Value, Match, TestServer.KnownCaller,
            new InlineProgress(_ => cancel.Cancel()), cancel.Token).WaitAsync(TimeSpan.FromSeconds(60));
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal(DimseStatus.Cancel, final.Status);
        Assert.True(final.Remaining > 0, $"remaining {final.Remaining}, completed {final.Completed}");
        Assert.Equal(count, final.Remaining + final.Completed + final.Failed + final.Warning);
        Assert.Equal(final.Completed, Volatile.Read(ref destinationStore.Stored));
    }

    [Fact]
    public async Task movescu_cancel_stops_a_running_c_move_of_our_scp_before_all_sub_operations()
    {
        const int count = 40;
        var destinationStore = new SlowStoreProvider();
        await using var destination = new DicomServer(new DicomServerOptions { Port = 0, Policy = TestServer.DefaultPolicy with { AeTitle = "SLOWDEST" } },
            storeProvider: destinationStore);
        await destination.StartAsync(CancellationToken.None);
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = 0,
            Policy = TestServer.DefaultPolicy with
            {
                AllowedCallingAeTitles = new HashSet<string> { "MOVESCU" },
                AbstractSyntaxes = new HashSet<string> { DicomUids.StudyRootQueryRetrieveInformationModelMove.Value },
            },
            MoveDestinations = new Dictionary<string, DicomPeer> { ["SLOWDEST"] = new("127.0.0.1", destination.Port) },
        }, moveProvider: new ManyInstancesMoveProvider(Corpus.File("CT_small.dcm"), count));
        await server.StartAsync(CancellationToken.None);

        var result = await Dcmtk.RunAsync("movescu", ["-S", "-v", "-aet", "MOVESCU", "-aem", "SLOWDEST", "-aec", TestServer.AeTitle, "--cancel", "1",
            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3", "127.0.0.1", server.Port.ToString()], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("Cancel", result.Output + result.Error, StringComparison.Ordinal);
        Assert.InRange(Volatile.Read(ref destinationStore.Stored), 1, count - 1);
    }

    private sealed class InlineProgress(Action<CRetrieveProgress> report) : IProgress<CRetrieveProgress>
    {
        public void Report(CRetrieveProgress value) => report(value);
    }
}
