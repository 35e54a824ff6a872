using System.Diagnostics;
using System.Globalization;
using Cl2.Dicom.Network.Client;
using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench ingest [instances]`: DCMTK storescu (TCP_NODELAY=1) sends the same small CT instances (CT_small.dcm with
/// new UIDs) to (a) DCMTK storescp (writes files, no fsync, no index), (b) Orthanc (SQLite index) and (c) our listener
/// (the built Cl2.Inference process: content-addressed instances and their index records in pack files, one
/// fdatasync per group commit; Success only once durable), in one association and in 4 concurrent associations. Each receiver starts empty
/// for each scenario. Wall time is from storescu's start to the end of the last storescu; every storescu must succeed.
/// </summary>
public static class IngestBenchmark
{
    private const int Concurrent = 4;

    private sealed record Receiver(string Name, string AeTitle, int Port, IAsyncDisposable Process);

    public static async Task<int> RunAsync(string[] args)
    {
        var instances = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var work = Directory.CreateTempSubdirectory("cl2-bench-ingest-").FullName;
        try
        {
            Console.WriteLine($"ingest on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; work folder {work}");
            var files = DicomParseBenchmark.MakeSeries("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm", Path.Combine(work, "series"), instances);
            var megabytes = files.Sum(file => new FileInfo(file).Length) / 1e6;
            var parts = Enumerable.Range(0, Concurrent).Select(part => Path.Combine(work, $"part{part}")).ToArray();
            for (var i = 0; i < files.Count; i++)
            {
                Directory.CreateDirectory(parts[i % Concurrent]);
                File.Copy(files[i], Path.Combine(parts[i % Concurrent], Path.GetFileName(files[i])));
            }
            Console.WriteLine($"{instances} instances, {megabytes:F1} MB");
            Console.WriteLine($"{"receiver",-10} {"associations",12} {"seconds",8} {"inst/s",8} {"MB/s",7} {"cl2 ÷ it",9}");
            foreach (var (label, folders) in new[] { ("1", new[] { Path.Combine(work, "series") }), ($"{Concurrent}", parts) })
            {
                var seconds = new Dictionary<string, double>();
                foreach (var start in new Func<string, Task<Receiver>>[] { StartStoreScpAsync, StartOrthancAsync, StartListenerAsync })
                {
                    var receiver = await start(work);
                    await using (receiver.Process)
                    {
                        seconds[receiver.Name] = await SendAsync(receiver, folders);
                    }
                }
                foreach (var (name, elapsed) in seconds)
                {
                    var ratio = name == "cl2" ? "" : (elapsed / seconds["cl2"]).ToString("F2", CultureInfo.InvariantCulture) + "×";
                    Console.WriteLine($"{name,-10} {label,12} {elapsed,8:F2} {instances / elapsed,8:F0} {megabytes / elapsed,7:F1} {ratio,9}");
                }
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double> SendAsync(Receiver receiver, string[] folders)
    {
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(folders.Select(folder => Dcmtk.RunAsync("storescu",
            ["-aet", "BENCH", "-aec", receiver.AeTitle, "+sd", "127.0.0.1", receiver.Port.ToString(CultureInfo.InvariantCulture), folder], TimeSpan.FromMinutes(10))));
        clock.Stop();
        foreach (var result in results.Where(result => result.ExitCode != 0))
        {
            throw new InvalidOperationException($"storescu to {receiver.Name} failed: {result.Output}{result.Error}");
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<Receiver> StartStoreScpAsync(string work)
    {
        var port = FreePort.Next();
        var folder = Directory.CreateDirectory(Path.Combine(work, "storescp-" + Guid.NewGuid().ToString("N"))).FullName;
        var process = BackgroundProcess.Start("storescp", "storescp", ["-aet", "STORESCP", "-od", folder, port.ToString(CultureInfo.InvariantCulture)], Dcmtk.Environment);
        await WaitForEchoAsync(port, "STORESCP");
        return new Receiver("storescp", "STORESCP", port, process);
    }

    private static async Task<Receiver> StartOrthancAsync(string work)
    {
        var orthanc = await OrthancPeer.StartAsync();
        return new Receiver("orthanc", orthanc.AeTitle, orthanc.DicomPort, orthanc);
    }

    private static async Task<Receiver> StartListenerAsync(string work)
    {
        var (port, process) = await StartListenerProcessAsync(Directory.CreateDirectory(Path.Combine(work, "cl2-" + Guid.NewGuid().ToString("N"))).FullName);
        return new Receiver("cl2", "CL2", port, process);
    }

    /// <summary>The built Cl2.Inference as its own process over <paramref name="storage"/>, once it answers C-ECHO.</summary>
    internal static async Task<(int Port, BackgroundProcess Process)> StartListenerProcessAsync(string storage)
    {
        var platform = new PlatformLauncher(storage);
        var port = platform.DicomPort;
        var process = await platform.StartAsync(PlatformLauncher.Inference, new Dictionary<string, string>(PlatformLauncher.Production)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Inference__StoragePath"] = storage,
            // Production serves listed peers only: the benchmark's senders on this machine.
            ["Inference__Listener__Peers__0__AeTitle"] = "*",
            ["Inference__Listener__Peers__0__Hosts__0"] = "127.0.0.1",
        });
        await WaitForEchoAsync(port, "CL2");
        return (port, process);
    }

    private static async Task WaitForEchoAsync(int port, string aeTitle)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await EchoScu.EchoAsync("127.0.0.1", port, new DicomClientOptions { CallingAeTitle = "BENCH", CalledAeTitle = aeTitle }, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Cl2.Dicom.Network.DicomNetworkException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
