using System.Collections.Concurrent;
using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench ingest-kill [instances]`: the full-size "nothing acknowledged is lost" check (the CI test runs 10 × 150).
/// Our SCU sends 2000 CT instances to the built Cl2.Inference process and SIGKILLs it at random points, restarting
/// it and sending what has not been acknowledged yet, until every instance got Success. The restarted listener then
/// returns everything by C-GET, and each instance must come back byte-identical to what was acknowledged.
/// </summary>
public static class IngestKillBenchmark
{
    private sealed class CollectingStore : ICStoreProvider
    {
        public ConcurrentDictionary<string, byte[]> Received { get; } = new();

        public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
        {
            using var bytes = new MemoryStream();
            await request.DataSet.CopyToAsync(bytes, cancellationToken);
            Received[request.SopInstanceUid] = bytes.ToArray();
            return DimseStatus.Success;
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var work = Directory.CreateTempSubdirectory("cl2-bench-ingest-kill-").FullName;
        try
        {
            var files = DicomParseBenchmark.MakeSeries("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm", Path.Combine(work, "series"), count);
            var instances = new List<(string Uid, byte[] DataSet)>();
            foreach (var file in files)
            {
                var header = await Part10FileHeader.ReadAsync(file, CancellationToken.None);
                instances.Add((header.MediaStorageSopInstanceUid, (await File.ReadAllBytesAsync(file))[(int)header.DataSetOffset..]));
            }
            var study = DicomFile.Open(files[0]).Dataset.GetString(DicomTags.StudyInstanceUID);
            var storage = Directory.CreateDirectory(Path.Combine(work, "cl2")).FullName;
            var acknowledged = new Dictionary<string, byte[]>();
            var random = new Random(4);
            var kills = 0;
            while (acknowledged.Count < instances.Count)
            {
                var (port, process) = await IngestBenchmark.StartListenerProcessAsync(storage);
                var killed = false;
                var sending = SendAsync(port, instances.Where(instance => !acknowledged.ContainsKey(instance.Uid)).ToList(), acknowledged, () => Volatile.Read(ref killed));
                // Short enough that a listener storing several hundred instances a second is still killed several times.
                await Task.WhenAny(sending, Task.Delay(random.Next(50, 700)));
                if (!sending.IsCompleted)
                {
                    Volatile.Write(ref killed, true);
                    kills++;
                }
                await process.DisposeAsync(); // SIGKILL
                await sending;
                Console.WriteLine($"run {kills}: {acknowledged.Count}/{instances.Count} acknowledged so far");
            }

            var (finalPort, final) = await IngestBenchmark.StartListenerProcessAsync(storage);
            await using (final)
            {
                var retrieved = await GetStudyAsync(finalPort, study);
                var missing = acknowledged.Keys.Count(uid => !retrieved.ContainsKey(uid));
                var different = acknowledged.Count(pair => retrieved.TryGetValue(pair.Key, out var bytes) && !bytes.AsSpan().SequenceEqual(pair.Value));
                Console.WriteLine($"{instances.Count} instances, {kills} SIGKILLs; after restart C-GET returned {retrieved.Count}: {missing} acknowledged missing, {different} different");
                return missing == 0 && different == 0 && retrieved.Count == instances.Count ? 0 : 1;
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task SendAsync(int port, IReadOnlyList<(string Uid, byte[] DataSet)> instances, Dictionary<string, byte[]> acknowledged, Func<bool> killed)
    {
        try
        {
            await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", port, new DicomClientOptions { CallingAeTitle = "KILLBENCH", CalledAeTitle = "CL2" },
                [new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None);
            foreach (var (uid, dataSet) in instances)
            {
                var status = await association.StoreAsync(DicomUids.CTImageStorage.Value, uid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid, new MemoryStream(dataSet, writable: false), CancellationToken.None);
                if (status.IsSuccess)
                {
                    lock (acknowledged)
                    {
                        acknowledged[uid] = dataSet;
                    }
                }
            }
            await association.ReleaseAsync(CancellationToken.None);
        }
        catch (Exception) when (killed())
        {
            // Killed mid-flight: the unacknowledged rest is sent again after the restart.
        }
    }

    private static async Task<IReadOnlyDictionary<string, byte[]>> GetStudyAsync(int port, string study)
    {
        var identifier = new DicomDataset().SetString(DicomTags.QueryRetrieveLevel, "STUDY").SetUid(DicomTags.StudyInstanceUID, study);
        using var bytes = new MemoryStream();
        DicomWriter.WriteDataset(bytes, identifier, DicomTransferSyntax.ExplicitVRLittleEndian);
        var store = new CollectingStore();
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", port,
            new DicomClientOptions { CallingAeTitle = "KILLBENCH", CalledAeTitle = "CL2", RoleSelections = [new ScpScuRoleSelection(DicomUids.CTImageStorage.Value, true, true)] },
            [new PresentationContext(1, DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid]),
             new PresentationContext(3, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None);
        var final = await association.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, bytes.ToArray(), store, null, CancellationToken.None);
        await association.ReleaseAsync(CancellationToken.None);
        Console.WriteLine($"C-GET: {final.Status}, {final.Completed} completed, {final.Failed} failed");
        return store.Received;
    }
}
