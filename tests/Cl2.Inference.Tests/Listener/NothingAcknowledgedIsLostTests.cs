using Cl2.Dicom;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;
using Cl2.Inference.Ingest;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// The listener's promise: Success means durable. Instances go to the listener process, which is killed with SIGKILL at
/// a random point while they flow, ten times over one store; after the restarts every instance that got Success must be
/// there, byte for byte. 150 instances a run here; `./cl2 bench ingest` runs the full 2000.
/// </summary>
public sealed class NothingAcknowledgedIsLostTests
{
    private const int Runs = 10;
    private const int InstancesPerRun = 150;
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task every_instance_acknowledged_before_a_sigkill_is_present_and_byte_identical_after_restart()
    {
        var random = new Random(20261127);
        var storage = Directory.CreateTempSubdirectory("cl2-sigkill-").FullName;
        var port = FreePort.Next();
        var acknowledged = new List<(string Uid, byte[] DataSet)>();
        var cutOff = 0;
        // Each run starts the listener on the store the previous run's SIGKILL left behind: that start is the restart
        // that must replay (and cut a torn tail off) the journal before it serves again.
        for (var run = 0; run < Runs; run++)
        {
            var process = await ListenerProcess.StartAsync(storage, port, ReadyWithin);
            var killed = false;
            // The kill point is chosen by progress (after a random number of acknowledgements, then a random few
            // milliseconds into whatever is in flight), not by wall time: a loaded machine then still kills mid-stream.
            var killAfter = new KillPoint(random.Next(1, InstancesPerRun));
            var sending = SendUntilCutOffAsync(port, SmallCtInstances(InstancesPerRun), acknowledged, killAfter, () => Volatile.Read(ref killed));
            await Task.WhenAny(sending, killAfter.Reached);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 15)));
            Volatile.Write(ref killed, true);
            await process.DisposeAsync(); // SIGKILL: no shutdown hook runs, nothing is flushed on the way out
            cutOff += await sending ? 0 : 1;
        }
        await (await ListenerProcess.StartAsync(storage, port, ReadyWithin)).DisposeAsync();

        using var store = new InstanceStore(Options.Create(new InferenceOptions { StoragePath = storage }), Options.Create(new ListenerOptions()),
            TimeProvider.System, NullLogger<InstanceStore>.Instance);
        await store.StartAsync(CancellationToken.None);
        foreach (var (uid, dataSet) in acknowledged)
        {
            var stored = store.Versions(uid);
            Assert.True(stored.Count == 1, $"{uid} was acknowledged but the restarted store has {stored.Count} versions of it");
            await using var blob = store.OpenDataSet(stored[0]);
            using var bytes = new MemoryStream();
            await blob.CopyToAsync(bytes);
            Assert.True(dataSet.AsSpan().SequenceEqual(bytes.ToArray()), $"{uid} differs from what was acknowledged");
        }
        await store.StopAsync(CancellationToken.None);
        Directory.Delete(storage, recursive: true);
        Assert.True(acknowledged.Count > 0 && cutOff > 0,
            $"{acknowledged.Count} instances acknowledged, {cutOff} of {Runs} runs cut off by the kill: the test must see both to check anything");
    }

    /// <summary>Stores instances one after another until the listener goes away; records each that got Success.
    /// True when all were sent before the kill.</summary>
    private static async Task<bool> SendUntilCutOffAsync(int port, IReadOnlyList<(string Uid, byte[] DataSet)> instances,
        List<(string Uid, byte[] DataSet)> acknowledged, KillPoint killPoint, Func<bool> killed)
    {
        try
        {
            await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", port,
                new DicomClientOptions { CallingAeTitle = "KILLTEST", CalledAeTitle = "CL2" },
                [new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None);
            foreach (var (uid, dataSet) in instances)
            {
                var status = await association.StoreAsync(DicomUids.CTImageStorage.Value, uid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid,
                    new MemoryStream(dataSet, writable: false), CancellationToken.None);
                if (status.IsSuccess)
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add((uid, dataSet));
                    }
                    killPoint.Acknowledged();
                }
            }
            await association.ReleaseAsync(CancellationToken.None);
            return true;
        }
        catch (Exception) when (killed())
        {
            // The listener was killed: whatever had not been acknowledged yet may be lost, and that is allowed.
            return false;
        }
    }

    /// <summary>Completes once a run has had the given number of acknowledgements.</summary>
    private sealed class KillPoint(int acknowledgements)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task Reached => _reached.Task;

        public void Acknowledged()
        {
            if (Interlocked.Increment(ref _count) >= acknowledgements)
            {
                _reached.TrySetResult();
            }
        }
    }

    /// <summary>Copies of the corpus CT, each a new instance of one new study (Explicit VR Little Endian data sets).</summary>
    internal static IReadOnlyList<(string Uid, byte[] DataSet)> SmallCtInstances(int count)
    {
        var source = DicomFile.Open(Corpus.File("CT_small.dcm"));
        var study = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);
        var series = study + ".1";
        var instances = new List<(string, byte[])>(count);
        for (var i = 0; i < count; i++)
        {
            var uid = $"{series}.{i + 1}";
            source.Dataset.SetUid(DicomTags.StudyInstanceUID, study).SetUid(DicomTags.SeriesInstanceUID, series).SetUid(DicomTags.SOPInstanceUID, uid);
            using var bytes = new MemoryStream();
            DicomWriter.WriteDataset(bytes, source.Dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
            instances.Add((uid, bytes.ToArray()));
        }
        return instances;
    }
}
