using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.EndToEnd.Web;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Cl2.Testing;
using Microsoft.Playwright;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench viewer [slices (100)] [peer-slices (256)] [rounds (5)]`: labeling (PostgreSQL with fsync on) and the gateway
/// as <c>./cl2 up</c> starts them, sign-in on, and Orthanc with its DICOMweb plugin, all on this machine.
/// (a) The web app in headless Chromium (Debian's, through Playwright) opens <c>/viewer?study=…</c> on a synthetic CT of
/// <c>slices</c> slices (<c>./cl2 synth</c>'s liver CT, slices × slices pixels) as a signed-in admin: the time from the
/// navigation's start to the first image drawn and to every slice in the viewer's cache (the app's performance marks), and
/// the bytes of the DICOMweb answers, once for the series stored uncompressed and once for a copy stored RLE Lossless
/// (<c>dcmcrle</c>; the viewer asks for frames as stored, so the compressed copy travels compressed). The app's own files
/// come from the browser's cache after the warm-up, as for a returning user; the archive's answers are never cached.
/// (b) The archive against Orthanc: <see cref="DicomWebSeriesLoad"/> of a <c>peer-slices</c>-slice CT (peer-slices² pixels)
/// stored in both, from cl2 through the gateway, cl2 direct and Orthanc, in rotating order, after a warm-up round.
/// </summary>
public static class ViewerBenchmark
{
    private sealed record StoredSeries(string Name, string Study, string Series, IReadOnlyList<string> Files);

    private sealed record BrowserRound(double FirstImageMs, double AllLoadedMs, int Requests, long BodyBytes, long HeaderBytes, string Encodings,
        double[] StagesMs)
    {
        /// <summary>Gateway and labeling CPU time per DICOMweb request while the page loaded.</summary>
        public double[] CpuPerRequestUs { get; init; } = [];
    }

    /// <summary>
    /// The app's marks on the way to the first image (docs/web.md, "Viewer"), in the order they are usually reached, and
    /// Cornerstone's first image, which replaces the preview that is usually the first image now.
    /// </summary>
    private static readonly string[] Stages = ["cl2:script", "cl2:signed-in", "cl2:page-code", "cl2:metadata", "cl2:cornerstone", "cl2:first-frame",
        "cl2:cornerstone-image"];

    public static async Task<int> RunAsync(string[] args)
    {
        var slices = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var peerSlices = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        // Set-up (skipped with CL2_SKIP_SETUP=1) rebuilds the app whenever its sources change; without it, a stale or
        // missing build would only show as a page that never sets its marks, after the 300 s wait below.
        if (WebAppBuild.Problem(Path.Combine(Repository.Root, "web"), compareSources: Environment.GetEnvironmentVariable("CL2_SKIP_SETUP") == "1") is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 1;
        }
        Console.WriteLine($"viewer on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {E2EBenchmark.LoadAverage()}");
        Console.WriteLine($"viewer series: {slices} slices of {slices}×{slices}; archive vs Orthanc: {peerSlices} slices of {peerSlices}×{peerSlices}; " +
            $"{rounds} rounds after a warm-up; PostgreSQL with fsync on, sign-in on");

        var root = Directory.CreateTempSubdirectory("cl2-bench-viewer-").FullName;
        await using var postgres = await PostgresCluster.CreateAsync(durable: true);
        var platform = new PlatformLauncher(Path.Combine(root, "state"), postgres.ConnectionString);
        var starting = Stopwatch.StartNew();
        await using var labeling = await platform.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        await using var gateway = await platform.StartAsync(PlatformLauncher.Gateway, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            // One load generator stands for many users here: the per-caller limit stays in the path but never refuses.
            ["Gateway__Limits__RequestsPerSecond"] = "1000000",
            ["Gateway__Limits__Burst"] = "1000000",
            ["Identity__Provider__AccessTokenLifetime"] = "04:00:00",
        });
        await using var orthanc = await OrthancPeer.StartAsync();
        using var cl2 = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        await GraphQLBenchmark.WaitLiveAsync(cl2, platform.LabelingUrl + "health/ready", labeling);
        // The gateway's readiness also asks for inference, which this benchmark does not start.
        await GraphQLBenchmark.WaitLiveAsync(cl2, platform.GatewayUrl + "health/live", gateway);
        // What a start costs: the CPU each process spent until it answered (the JIT's share of it depends on its settings).
        Console.WriteLine($"started: labeling ready and the gateway live {starting.Elapsed.TotalSeconds:F1} s after the start, Orthanc's start among it; " +
            $"CPU until then: labeling {labeling.ProcessorTime.TotalSeconds:F2} s, gateway {gateway.ProcessorTime.TotalSeconds:F2} s");
        cl2.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await platform.UserTokenAsync("admin"));
        var (direct, proxied, peer) = (new Uri(platform.LabelingUrl + "dicomweb/"), new Uri(platform.GatewayUrl + "dicomweb/"),
            new Uri(orthanc.Http.BaseAddress!, "dicom-web/"));

        Console.Error.WriteLine("writing and storing the series");
        var work = Path.Combine(root, "work");
        // Slices 0 leaves the browser part (a) out: the archive comparison alone, as when profiling the request path.
        IReadOnlyList<StoredSeries> stored = slices > 0
            ? [WriteCt(Path.Combine(work, "native"), "uncompressed", slices, seed: 21),
                await RleCopyAsync(WriteCt(Path.Combine(work, "rle"), "RLE Lossless", slices, seed: 22), Path.Combine(work, "rle-files"))]
            : [];
        var compared = WriteCt(Path.Combine(work, "peer"), "uncompressed", peerSlices, seed: 23);
        foreach (var series in stored.Append(compared))
        {
            await StoreAsync(cl2, direct, series);
        }
        using (var orthancStow = new HttpClient { BaseAddress = peer, Timeout = TimeSpan.FromMinutes(5) })
        {
            await StoreAsync(orthancStow, peer, compared);
        }

        if (slices > 0)
        {
            await MeasureViewerAsync(platform, slices, rounds, stored, gateway, labeling);
        }

        Console.WriteLine();
        Console.WriteLine($"(b) metadata, then frame 1 of each of {peerSlices} instances, {DicomWebSeriesLoad.Parallel} requests at a time");
        // CPU time per request of each server process (the client's own excluded): what a request costs whatever else the
        // machine runs, so paired runs on a busy machine still show where the time goes.
        Console.WriteLine($"  {"archive",-18} {"round",5} {"metadata ms",12} {"first frame ms",15} {"total ms",9} {"bytes",11} " +
            $"{"CPU µs/request: gateway",24} {"labeling",9} {"orthanc",8}");
        using var orthancHttp = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var archives = new (string Name, HttpClient Http, Uri Root)[] { ("cl2 via gateway", cl2, proxied), ("cl2 direct", cl2, direct), ("orthanc", orthancHttp, peer) };
        var timings = archives.ToDictionary(archive => archive.Name, _ => new List<(DicomWebSeriesLoad.Timing Timing, double[] CpuPerRequest)>());
        Func<TimeSpan>[] servers = [() => gateway.ProcessorTime, () => labeling.ProcessorTime, () => orthanc.ProcessorTime];
        for (var round = 0; round <= rounds; round++)
        {
            // Each round starts with another archive, so none is always first after the others' work.
            foreach (var (name, http, archiveRoot) in archives.Skip(round % archives.Length).Concat(archives.Take(round % archives.Length)))
            {
                var before = servers.Select(cpu => cpu()).ToArray();
                var timing = await DicomWebSeriesLoad.RunAsync(http, archiveRoot, compared.Study, compared.Series);
                var cpuPerRequest = servers.Select((cpu, i) => (cpu() - before[i]).TotalMicroseconds / (compared.Files.Count + 1)).ToArray();
                Console.WriteLine($"  {name,-18} {(round == 0 ? "warm" : round.ToString(CultureInfo.InvariantCulture)),5} {timing.MetadataMs,12:F0} " +
                    $"{timing.FirstFrameMs,15:F0} {timing.TotalMs,9:F0} {timing.Bytes,11} {cpuPerRequest[0],24:F0} {cpuPerRequest[1],9:F0} {cpuPerRequest[2],8:F0}");
                if (round > 0)
                {
                    timings[name].Add((timing, cpuPerRequest));
                }
            }
        }
        var orthancTotal = Median(timings["orthanc"].Select(t => t.Timing.TotalMs));
        foreach (var (name, _, _) in archives)
        {
            var measured = timings[name];
            var total = Median(measured.Select(t => t.Timing.TotalMs));
            Console.WriteLine($"  {name,-18} median: metadata {Median(measured.Select(t => t.Timing.MetadataMs)),5:F0} ms, first frame " +
                $"{Median(measured.Select(t => t.Timing.FirstFrameMs)),5:F0} ms, total {total,6:F0} ms, {total / orthancTotal:F2}× Orthanc's time; " +
                $"CPU per request: gateway {Median(measured.Select(t => t.CpuPerRequest[0])):F0} µs, labeling {Median(measured.Select(t => t.CpuPerRequest[1])):F0} µs, " +
                $"Orthanc {Median(measured.Select(t => t.CpuPerRequest[2])):F0} µs");
        }
        Console.WriteLine($"goal: cl2 via the gateway no slower than Orthanc (≤ 1.00×); load average at the end {E2EBenchmark.LoadAverage()}");
        Directory.Delete(root, recursive: true);
        return 0;
    }

    /// <summary>(a): the web app opens each series <paramref name="rounds"/> times after a warm-up, each in a new tab.</summary>
    private static async Task MeasureViewerAsync(PlatformLauncher platform, int slices, int rounds, IReadOnlyList<StoredSeries> stored,
        BackgroundProcess gateway, BackgroundProcess labeling)
    {
        await using (var chromium = await Chromium.LaunchAsync())
        {
            await SignInAsync(chromium, platform, "admin");
            Console.WriteLine();
            Console.WriteLine($"(a) the web app opens a {slices}-slice CT (/viewer, headless Chromium, through the gateway)");
            Console.WriteLine($"  {"stored as",-13} {"round",5} {"first image ms",15} {"all slices ms",14} {"requests",9} {"body bytes",12} " +
                $"{"header bytes",13}  content-encoding  CPU µs/request: gateway labeling  ms to {string.Join(' ', Stages)}");
            var summaries = new List<string>();
            foreach (var series in stored)
            {
                var measured = new List<BrowserRound>();
                for (var round = 0; round <= rounds; round++)
                {
                    var (gatewayCpu, labelingCpu) = (gateway.ProcessorTime, labeling.ProcessorTime);
                    var result = await OpenInViewerAsync(chromium, platform, series);
                    // Per DICOMweb request; the gateway's share includes the page's own few requests (its files, the session).
                    result = result with
                    {
                        CpuPerRequestUs =
                        [
                            (gateway.ProcessorTime - gatewayCpu).TotalMicroseconds / result.Requests,
                            (labeling.ProcessorTime - labelingCpu).TotalMicroseconds / result.Requests,
                        ],
                    };
                    Console.WriteLine($"  {series.Name,-13} {(round == 0 ? "warm" : round.ToString(CultureInfo.InvariantCulture)),5} {result.FirstImageMs,15:F0} " +
                        $"{result.AllLoadedMs,14:F0} {result.Requests,9} {result.BodyBytes,12} {result.HeaderBytes,13}  {result.Encodings}  " +
                        $"{result.CpuPerRequestUs[0],8:F0} {result.CpuPerRequestUs[1],8:F0}  " +
                        string.Join(' ', result.StagesMs.Select(ms => ms.ToString("F0", CultureInfo.InvariantCulture))));
                    if (round > 0)
                    {
                        measured.Add(result);
                    }
                }
                summaries.Add($"  {series.Name,-13} median first image {Median(measured.Select(r => r.FirstImageMs)),6:F0} ms (goal < 1000), " +
                    $"all slices {Median(measured.Select(r => r.AllLoadedMs)),6:F0} ms (goal < 3000), {measured[0].BodyBytes / 1e6:F2} MB of DICOMweb bodies; " +
                    $"CPU per request: gateway {Median(measured.Select(r => r.CpuPerRequestUs[0])):F0} µs, labeling {Median(measured.Select(r => r.CpuPerRequestUs[1])):F0} µs; " +
                    "on the way, medians: " + string.Join(", ", Stages.Select((stage, i) => $"{stage} {Median(measured.Select(r => r.StagesMs[i])):F0}")));
            }
            summaries.ForEach(Console.WriteLine);
        }
    }

    /// <summary>One case of <c>./cl2 synth</c>'s liver CT: <paramref name="slices"/> slices of slices × slices pixels.</summary>
    private static StoredSeries WriteCt(string folder, string name, int slices, int seed)
    {
        var item = SyntheticCohort.Write(WorkloadTask.LiverCt, folder, cases: 1, seed, size: slices).Cases[0];
        var files = Directory.GetFiles(Path.Combine(folder, item.Series["CT"]), "*.dcm").Order(StringComparer.Ordinal).ToList();
        return new StoredSeries(name, item.StudyInstanceUid, DicomFile.Open(files[0]).Dataset.GetString(DicomTags.SeriesInstanceUID), files);
    }

    /// <summary>The series' files re-encoded RLE Lossless by DCMTK's <c>dcmcrle</c> (same UIDs).</summary>
    private static async Task<StoredSeries> RleCopyAsync(StoredSeries series, string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var file in series.Files)
        {
            var copy = Path.Combine(folder, Path.GetFileName(file));
            (await Dcmtk.RunAsync("dcmcrle", [file, copy], TimeSpan.FromMinutes(1))).EnsureSuccess("dcmcrle");
            files.Add(copy);
        }
        return series with { Files = files };
    }

    private static async Task StoreAsync(HttpClient http, Uri root, StoredSeries series)
    {
        using var client = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
        foreach (var chunk in series.Files.Chunk(64))
        {
            var answer = await new DicomWebClient(client).StoreFilesAsync(chunk);
            if (answer.Failed.Count > 0 || answer.Stored.Count != chunk.Length)
            {
                throw new InvalidOperationException($"{root} stored {answer.Stored.Count} of {chunk.Length} instances of series {series.Series} ({answer.Failed.Count} failed)");
            }
        }
    }

    /// <summary>Signs the browser's context in as <paramref name="user"/> on the gateway's sign-in page.</summary>
    private static async Task SignInAsync(Chromium chromium, PlatformLauncher platform, string user)
    {
        var page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(platform.GatewayUrl + "account/signin?returnUrl=%2F");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", platform.Secret("users", user));
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.CloseAsync();
    }

    private static async Task<BrowserRound> OpenInViewerAsync(Chromium chromium, PlatformLauncher platform, StoredSeries series)
    {
        var page = await chromium.Context.NewPageAsync();
        var requests = new List<IRequest>();
        page.RequestFinished += (_, request) =>
        {
            if (request.Url.Contains("/dicomweb/", StringComparison.Ordinal))
            {
                lock (requests)
                {
                    requests.Add(request);
                }
            }
        };
        await page.GotoAsync($"{platform.GatewayUrl}viewer?study={series.Study}&series={series.Series}");
        await page.WaitForFunctionAsync("""
            () => performance.getEntriesByName('cl2:all-loaded').length > 0 || document.querySelector('.error')
              || document.body.innerText.includes('did not load')
            """, null, new PageWaitForFunctionOptions { Timeout = 300_000 });
        var marks = await page.EvaluateAsync<double[]>("names => names.map(name => performance.getEntriesByName(name)[0]?.startTime ?? -1)",
            new[] { "cl2:first-image", "cl2:all-loaded" }.Concat(Stages).ToArray());
        var loaded = await page.Locator(".viewer-host").GetAttributeAsync("data-loaded");
        if (marks[1] < 0 || loaded != series.Files.Count.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"the viewer did not load the {series.Files.Count} slices of {series.Name} ({loaded} loaded): {await page.InnerTextAsync("main")}");
        }
        var (body, headers, encodings) = (0L, 0L, new SortedSet<string>(StringComparer.Ordinal));
        foreach (var request in requests)
        {
            var sizes = await request.SizesAsync();
            (body, headers) = (body + sizes.ResponseBodySize, headers + sizes.ResponseHeadersSize);
            var response = await request.ResponseAsync();
            encodings.Add(response is not null && (await response.AllHeadersAsync()).TryGetValue("content-encoding", out var encoding) ? encoding : "none");
        }
        await page.CloseAsync();
        return new BrowserRound(marks[0], marks[1], requests.Count, body, headers, string.Join(',', encodings), marks[2..]);
    }

    private static double Median(IEnumerable<double> values) => E2EBenchmark.Percentile([.. values], 50);
}
