using System.Globalization;
using Cl2.Dicom.Network.Client;
using Cl2.Inference.Listener;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Inference.Tests.Listener;

/// <summary>Measures the test process's managed heap, so it runs alone: other tests' allocations would blur the figure.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

/// <summary>
/// Issue 14's probe scaled down: peers open associations and stream large C-STOREs that never finish. The listener must
/// hold no more of them in memory than Inference:Listener:MaxInMemoryBytes (the rest goes to spool files), give it all
/// back when the peers abort, and go on storing for others meanwhile.
/// </summary>
[Collection(nameof(HeapMeasurement))]
public sealed class ListenerMemoryBudgetTests
{
    private const int MiB = 1024 * 1024;
    private const long Budget = 8 * MiB;
    private const int Associations = 4;
    private const long StreamedPerAssociation = 48 * MiB;

    /// <summary>What the listener holds besides received instances: a PDU buffer per association (at most 256 KiB), a spool
    /// chunk each, the shared pool's small arrays, the host's own churn.</summary>
    private const long Overhead = 16 * MiB;

    private static ListenerHost StartHost() =>
        ListenerHost.Start(("MaxInMemoryBytes", Budget.ToString(CultureInfo.InvariantCulture)), ("SpoolThreshold", MiB.ToString(CultureInfo.InvariantCulture)));

    private static async Task<RawStoreAssociation[]> StreamUnfinishedStoresAsync(ListenerHost host)
    {
        var peers = await Task.WhenAll(Enumerable.Range(1, Associations).Select(i => RawStoreAssociation.OpenAsync(host.Port, $"HOLDER{i}")));
        // Each send completes once the listener has read all but what the sockets' buffers hold (a few MiB at most).
        await Task.WhenAll(peers.Select((peer, i) => peer.StreamUnfinishedStoreAsync($"2.25.{i + 1}", StreamedPerAssociation)));
        return peers;
    }

    private static long ManagedHeap() => GC.GetTotalMemory(forceFullCollection: true);

    [Fact]
    public async Task unfinished_large_stores_on_several_associations_hold_no_more_managed_memory_than_the_budget()
    {
        await using var host = StartHost();
        var budget = host.Services.GetRequiredService<ListenerMemoryBudget>();
        var before = ManagedHeap();

        var peers = await StreamUnfinishedStoresAsync(host);
        var held = ManagedHeap() - before;

        Assert.True(held < Budget + Overhead,
            $"the listener holds {held / MiB} MiB more managed memory with {Associations} unfinished {StreamedPerAssociation / MiB} MiB stores; the budget is {Budget / MiB} MiB");
        Assert.InRange(budget.InUse, 0, Budget);
        Assert.Equal(Associations, Directory.GetFiles(host.Store.SpoolFolder).Length);
        Array.ForEach(peers, peer => peer.Dispose());
    }

    [Fact]
    public async Task memory_and_spool_files_of_unfinished_stores_are_released_when_their_peers_abort()
    {
        await using var host = StartHost();
        var budget = host.Services.GetRequiredService<ListenerMemoryBudget>();
        var before = ManagedHeap();
        var peers = await StreamUnfinishedStoresAsync(host);

        foreach (var peer in peers)
        {
            await peer.AbortAsync();
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((budget.InUse > 0 || Directory.GetFiles(host.Store.SpoolFolder).Length > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var kept = ManagedHeap() - before;

        Assert.Equal(0, budget.InUse);
        Assert.Empty(Directory.GetFiles(host.Store.SpoolFolder));
        Assert.True(kept < Overhead, $"after the aborts the listener still holds {kept / MiB} MiB more managed memory than before the stores began");
        Array.ForEach(peers, peer => peer.Dispose());
    }

    [Fact]
    public async Task storescu_is_served_while_other_associations_hold_unfinished_large_stores()
    {
        await using var host = StartHost();
        var peers = await StreamUnfinishedStoresAsync(host);
        var path = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", Directory.CreateTempSubdirectory("cl2-listener-send-").FullName);

        var result = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture), path]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
        Assert.Equal(await Corpus.DataSetBytesAsync(path), host.StoredDataSet(header.MediaStorageSopInstanceUid));
        Array.ForEach(peers, peer => peer.Dispose());
    }

    [Theory]
    [InlineData("SC_rgb_jpeg_dcmd.dcm")]
    [InlineData("waveform_ecg.dcm")]
    public async Task an_instance_longer_than_the_spool_threshold_is_kept_byte_for_byte_and_its_spool_file_removed(string file)
    {
        await using var host = ListenerHost.Start(("SpoolThreshold", (64 * 1024).ToString(CultureInfo.InvariantCulture)));
        var path = await Corpus.DcmtkEncodedCopyAsync(file, Directory.CreateTempSubdirectory("cl2-listener-send-").FullName);

        var result = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture), path]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
        Assert.True(new FileInfo(path).Length > 64 * 1024, "the instance is too small to be spooled");
        Assert.Equal(await Corpus.DataSetBytesAsync(path), host.StoredDataSet(header.MediaStorageSopInstanceUid));
        Assert.Empty(Directory.GetFiles(host.Store.SpoolFolder));
    }
}
