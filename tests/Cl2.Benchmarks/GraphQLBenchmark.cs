using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench graphql [cases] [seconds] [workers] [events] [pairs]`: the built labeling service and gateway as their own processes over
/// a PostgreSQL with fsync on. Seeds a dataset of <c>cases</c> cases with one label each, then a closed load loop on
/// 127.0.0.1 (<c>workers</c> concurrent HttpClient requests for <c>seconds</c>, after a warm-up) for (a) a page of
/// <c>cases</c> and (b) <c>submitLabel</c> (each worker owns its own cases and submits on their current revision, so no
/// request conflicts), each direct to labeling and through the gateway, alternating twice. Every response is checked;
/// any error fails the run. First, bulk import: <c>events</c> (10,000) label events, one per case of a fresh dataset, with one
/// <c>importLabels</c> call, five times (two to warm up). Last, the latency the gateway adds, one request at a time with the paths
/// alternating (<see cref="GraphQLPairedLatency"/>, <c>pairs</c> (1000) pairs per operation), with the CPU time per request; then
/// the access audit's cost per WADO-RS request (<see cref="WadoAuditCost"/>). Authentication is on throughout (an admin's
/// access token from the gateway's provider on every request). With <c>seconds</c> 0, only the bulk import runs.
/// </summary>
public static class GraphQLBenchmark
{
    private const int PageSize = 50;

    private const string CasesQuery = """
        query($dataset: ID!, $after: String) {
          cases(dataset: $dataset, first: 50, after: $after, orderBy: STUDY_INSTANCE_UID) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { id studyInstanceUid labelStatus currentRevision } }
          }
        }
        """;

    private const string SubmitMutation = """
        mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id revision status } }
        """;

    private const string ImportMutation = """
        mutation($input: ImportLabelsInput!) { importLabels(input: $input) }
        """;

    private sealed record Load(string Name, int Requests, double Seconds, double P50, double P99)
    {
        public double PerSecond => Requests / Seconds;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var cases = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var workers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        var bulkEvents = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        var latencyPairs = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1000;
        Console.WriteLine($"graphql on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; " +
            $"{cases} cases, {workers} workers, {seconds} s per run; PostgreSQL with fsync on");

        await using var postgres = await PostgresCluster.CreateAsync(durable: true);
        var platform = new PlatformLauncher(Directory.CreateTempSubdirectory("cl2-bench-graphql-").FullName,
            postgres.ConnectionString + ";Maximum Pool Size=100");
        var (labelingUrl, gatewayUrl) = (platform.LabelingUrl, platform.GatewayUrl);
        // Authentication on, as ./cl2 up runs it: every request carries an admin's access token from the gateway's provider,
        // which labeling validates, and the gateway too (to limit each user apart).
        await using var labeling = await platform.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            // 10,000 labels are about 1.8 MB of JSON, more than the default limit of 1 MiB.
            ["GraphQL__MaxRequestBytes"] = (8 << 20).ToString(CultureInfo.InvariantCulture),
        });
        await using var gateway = await platform.StartAsync(PlatformLauncher.Gateway,
            new Dictionary<string, string>(PlatformLauncher.Production)
            {
                ["Logging__LogLevel__Default"] = "Warning",
                // One load generator stands for many users here: the per-caller limit stays in the path but never refuses.
                ["Gateway__Limits__RequestsPerSecond"] = "1000000",
                ["Gateway__Limits__Burst"] = "1000000",
                // One token for the whole run.
                ["Identity__Provider__AccessTokenLifetime"] = "04:00:00",
            });
        using var http = NewClient(workers);
        await WaitLiveAsync(http, labelingUrl + "health/ready", labeling);
        // The gateway's readiness also asks for inference, which this benchmark does not start.
        await WaitLiveAsync(http, gatewayUrl + "health/live", gateway);
        var token = await platform.UserTokenAsync("admin");
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Console.WriteLine("authentication on: bearer tokens (admin) validated by the gateway and by labeling; access audit on");
        var direct = new Uri(labelingUrl + "graphql");
        var proxied = new Uri(gatewayUrl + "graphql");

        // Labels name a stored mask (submitLabel and importLabels refuse a digest the blob store lacks).
        using var mask = await http.PostAsync(new Uri(labelingUrl + "blobs"), new ByteArrayContent("benchmark mask"u8.ToArray()));
        var digest = (await mask.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("digest").GetString()!;
        var bulkDataset = await CreateDatasetAsync(http, direct, "bulk");
        var bulkCases = await AddCasesAsync(http, direct, bulkDataset, bulkEvents, "1.2.826.0.1.3680043.10.2");
        Console.WriteLine($"bulk import of {bulkEvents} label events (one per case, one importLabels call, direct to labeling):");
        // Five imports, all printed: the first two run largely on the JIT's unoptimized and instrumented tiers (labeling's CPU
        // per import falls from ~1.4 s to ~0.4 s once its code is tiered up), the last three show a running service.
        for (var run = 0; run < 5; run++)
        {
            var labels = bulkCases.Select(caseId => new { caseId, baseRevision = run, kind = "SEGMENTATION", blobDigest = digest }).ToArray();
            var (labelingCpu, postgresCpu) = (CpuTime.OfProcess(labeling.Id), CpuTime.OfTree(postgres.ServerProcessId));
            var clock = Stopwatch.StartNew();
            var stored = (await RunAsync(http, direct, ImportMutation, new { input = new { labels } }))["importLabels"]!.GetValue<int>();
            clock.Stop();
            (labelingCpu, postgresCpu) = (CpuTime.OfProcess(labeling.Id) - labelingCpu, CpuTime.OfTree(postgres.ServerProcessId) - postgresCpu);
            if (stored != bulkEvents)
            {
                throw new InvalidOperationException($"importLabels stored {stored} label revisions, not {bulkEvents}");
            }
            Console.WriteLine($"  run {run + 1}{(run < 2 ? " (warm-up)" : "")}: {clock.Elapsed.TotalSeconds:F2} s, {bulkEvents / clock.Elapsed.TotalSeconds:F0} events/s " +
                $"(CPU: labeling {labelingCpu.TotalSeconds:F2} s, PostgreSQL {postgresCpu.TotalSeconds:F2} s)");
        }

        if (seconds <= 0)
        {
            return 0; // `./cl2 bench graphql N 0`: the bulk import only
        }
        var dataset = await CreateDatasetAsync(http, direct, "load");
        var caseIds = await AddCasesAsync(http, direct, dataset, cases, "1.2.826.0.1.3680043.10.1");
        await RunAsync(http, direct, ImportMutation,
            new { input = new { labels = caseIds.Select(caseId => new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = digest }).ToArray() } });
        var revisions = Enumerable.Repeat(1, caseIds.Count).ToArray();
        var cursors = await PageCursorsAsync(http, direct, dataset);
        Console.WriteLine($"seeded {caseIds.Count} cases with one label each; {cursors.Count} pages of {PageSize}");

        var casesBody = (int worker, int request) => Body(CasesQuery, new { dataset, after = cursors[(worker * 7 + request) % cursors.Count] });
        var submitBody = (int worker, int request) =>
        {
            // Worker w owns cases w, w + workers, …: it alone submits on them, so its revision counts are exact.
            var owned = (caseIds.Count - worker + workers - 1) / workers;
            var index = worker + request % owned * workers;
            return Body(SubmitMutation, new { input = new { caseId = caseIds[index], baseRevision = revisions[index]++, kind = "SEGMENTATION", blobDigest = digest } });
        };

        Console.WriteLine($"{"operation",-12} {"path",-8} {"round",5} {"requests",9} {"req/s",8} {"p50 ms",8} {"p99 ms",8}");
        var results = new List<(string Operation, string Path, Load Load)>();
        for (var round = 1; round <= 2; round++)
        {
            foreach (var (operation, body) in new[] { ("cases", casesBody), ("submitLabel", submitBody) })
            {
                foreach (var (path, endpoint) in new[] { ("direct", direct), ("gateway", proxied) })
                {
                    var load = await LoadAsync(http, endpoint, body, workers, TimeSpan.FromSeconds(seconds));
                    results.Add((operation, path, load));
                    Console.WriteLine($"{operation,-12} {path,-8} {round,5} {load.Requests,9} {load.PerSecond,8:F0} {load.P50,8:F2} {load.P99,8:F2}");
                }
            }
        }
        Console.WriteLine("gateway ÷ direct (mean of the two rounds): throughput, and the p50 the gateway adds (goal ≥ 0.8×, < 1 ms)");
        foreach (var operation in new[] { "cases", "submitLabel" })
        {
            Load[] Of(string path) => [.. results.Where(result => result.Operation == operation && result.Path == path).Select(result => result.Load)];
            var (viaDirect, viaGateway) = (Of("direct"), Of("gateway"));
            var ratio = viaGateway.Average(load => load.PerSecond) / viaDirect.Average(load => load.PerSecond);
            var added = viaGateway.Average(load => load.P50) - viaDirect.Average(load => load.P50);
            Console.WriteLine($"  {operation,-12} {ratio:F2}×  {added:+0.00;-0.00} ms");
        }
        Console.WriteLine($"one request at a time, direct and gateway alternating ({latencyPairs} pairs each): p50 direct, p50 gateway, " +
            "median and 90th percentile of the per-pair difference (goal: under 1 ms added at p50), " +
            "CPU ms per request of the gateway and of labeling");
        foreach (var (operation, body) in new[] { ("cases", casesBody), ("submitLabel", submitBody) })
        {
            // Worker 0's cases: the load loops are over, so its revision counts are exact and it alone submits now.
            var paired = await GraphQLPairedLatency.MeasureAsync(http, direct, proxied, request => body(0, request), latencyPairs, gateway.Id, labeling.Id);
            Console.WriteLine($"  {operation,-12} {paired.DirectP50,8:F2} {paired.GatewayP50,8:F2} {paired.AddedP50,8:+0.00;-0.00} {paired.AddedP90,8:+0.00;-0.00} ms  " +
                $"CPU {paired.GatewayCpu,6:F3} / {paired.BackendCpu,6:F3} ms");
        }
        Console.WriteLine($"the access audit's cost per WADO-RS request (one instance, {workers} workers, {seconds} s per round, direct to " +
            "labeling with the audit on and to a second labeling with it off, alternating): req/s, p50 ms, CPU ms per request of labeling and PostgreSQL");
        var wado = await WadoAuditCost.MeasureAsync(platform, postgres, labeling, token, workers, seconds);
        foreach (var round in wado)
        {
            Console.WriteLine($"  audit {round.Audit,-3} {round.Requests,8} {round.PerSecond,8:F0} {round.P50,8:F2}  CPU {round.LabelingCpuMs,6:F3} / {round.PostgresCpuMs,6:F3} ms");
        }
        foreach (var audit in new[] { "on", "off" })
        {
            var of = wado.Where(round => round.Audit == audit).ToList();
            Console.WriteLine($"  mean audit {audit,-3} {of.Average(r => r.PerSecond),8:F0} req/s {of.Average(r => r.P50),8:F2} ms  " +
                $"CPU {of.Average(r => r.LabelingCpuMs),6:F3} / {of.Average(r => r.PostgresCpuMs),6:F3} ms");
        }
        if (labeling.HasExited || gateway.HasExited)
        {
            throw new InvalidOperationException($"a service exited during the run:\n{labeling.Output}\n{gateway.Output}");
        }
        return 0;
    }

    /// <summary>
    /// A closed loop: <paramref name="workers"/> tasks each send the next request as soon as the last one answered, for
    /// 2 s of warm-up (not counted) and then <paramref name="duration"/>. A response that is not 200 with data and no
    /// errors fails the run.
    /// </summary>
    private static async Task<Load> LoadAsync(HttpClient http, Uri endpoint, Func<int, int, string> body, int workers, TimeSpan duration)
    {
        var warmUpEnds = Stopwatch.GetTimestamp() + (long)(2 * Stopwatch.Frequency);
        var ends = warmUpEnds + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var latencies = await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var measured = new List<double>();
            for (var request = 0; ; request++)
            {
                if (Stopwatch.GetTimestamp() >= ends)
                {
                    return measured;
                }
                var counted = Stopwatch.GetTimestamp() >= warmUpEnds;
                var latency = await GraphQLPairedLatency.SendCheckedAsync(http, endpoint, body(worker, request));
                if (counted)
                {
                    measured.Add(latency);
                }
            }
        })));
        var all = latencies.SelectMany(list => list).Order().ToArray();
        return new Load(endpoint.ToString(), all.Length, duration.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];

    private static async Task<IReadOnlyList<string?>> PageCursorsAsync(HttpClient http, Uri endpoint, string dataset)
    {
        var cursors = new List<string?> { null };
        while (true)
        {
            var page = (await RunAsync(http, endpoint, CasesQuery, new { dataset, after = cursors[^1] }))["cases"]!["pageInfo"]!;
            if (!page["hasNextPage"]!.GetValue<bool>())
            {
                return cursors;
            }
            cursors.Add(page["endCursor"]!.GetValue<string>());
        }
    }

    private static async Task<string> CreateDatasetAsync(HttpClient http, Uri endpoint, string name) =>
        (await RunAsync(http, endpoint, "mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }",
            new { input = new { name } }))["createDataset"]!["id"]!.GetValue<string>();

    private static async Task<IReadOnlyList<string>> AddCasesAsync(HttpClient http, Uri endpoint, string datasetId, int count, string uidRoot)
    {
        var ids = new List<string>(count);
        // addCases takes only studies the archive holds: one small instance of each first, straight to labeling's STOW-RS.
        // It needs the caller's token too: STOW-RS refuses an anonymous caller.
        using (var archive = new HttpClient { BaseAddress = new Uri(endpoint, "/") })
        {
            archive.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
            await ArchivedStudies.StoreAsync(archive, Enumerable.Range(1, count).Select(number => $"{uidRoot}.{number}"));
        }
        foreach (var chunk in Enumerable.Range(1, count).Chunk(1000))
        {
            var added = await RunAsync(http, endpoint, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
                new { input = new { datasetId, studyInstanceUids = chunk.Select(number => $"{uidRoot}.{number}").ToArray() } });
            ids.AddRange(added["addCases"]!.AsArray().Select(node => node!["id"]!.GetValue<string>()));
        }
        return ids;
    }

    private static async Task<JsonNode> RunAsync(HttpClient http, Uri endpoint, string query, object variables)
    {
        using var content = new StringContent(Body(query, variables), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(endpoint, content);
        var root = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        if (!response.IsSuccessStatusCode || root?["errors"] is not null || root?["data"] is not { } data)
        {
            throw new InvalidOperationException($"{endpoint} answered {(int)response.StatusCode}: {root?.ToJsonString()}");
        }
        return data;
    }

    private static string Body(string query, object variables) => JsonSerializer.Serialize(new { query, variables });

    private static HttpClient NewClient(int workers) => new(new SocketsHttpHandler { MaxConnectionsPerServer = workers, UseProxy = false })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    internal static async Task WaitLiveAsync(HttpClient http, string url, BackgroundProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited while starting:\n{process.Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(url));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{url} not ready after 120 s:\n{process.Output}");
            }
            await Task.Delay(200);
        }
    }
}
