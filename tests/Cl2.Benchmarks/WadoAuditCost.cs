using System.Diagnostics;
using System.Net.Http.Headers;
using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>
/// What the access audit costs a WADO-RS request: one instance (pydicom's CT_small) stored into two labeling processes on
/// the same PostgreSQL, one with the audit on and one with <c>Audit:Enabled=false</c> (its own schema and blob folder),
/// then a closed loop of GETs of the instance against each, direct, the two alternating for four rounds. Per round:
/// requests per second, p50, and the CPU time per request of that labeling process and of the whole PostgreSQL server
/// (the audit's batched inserts land there).
/// </summary>
public static class WadoAuditCost
{
    public sealed record Round(string Audit, int Requests, double PerSecond, double P50, double LabelingCpuMs, double PostgresCpuMs);

    public static async Task<IReadOnlyList<Round>> MeasureAsync(PlatformLauncher platform, PostgresCluster postgres, BackgroundProcess audited,
        string token, int workers, double seconds)
    {
        var port = FreePort.Next();
        var folder = Directory.CreateTempSubdirectory("cl2-bench-audit-off-").FullName;
        await using var unaudited = await platform.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Postgres__Schema"] = "cl2_audit_off",
            ["Blobs__Root"] = Path.Combine(folder, "blobs"),
            ["Archive__SpoolPath"] = Path.Combine(folder, "stow-spool"),
            ["Audit__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        }, name: "labeling (audit off)");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var on = new Uri(platform.LabelingUrl);
        var off = new Uri($"http://127.0.0.1:{port}/");
        for (var ready = Stopwatch.StartNew(); !await ReadyAsync(http, off); await Task.Delay(200))
        {
            if (ready.Elapsed > TimeSpan.FromMinutes(3) || unaudited.HasExited)
            {
                throw new InvalidOperationException($"the second labeling did not become ready:\n{unaudited.Output}");
            }
        }
        var file = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", folder);
        var json = System.Text.Json.JsonDocument.Parse((await Dcmtk.RunAsync("dcm2json", [file])).EnsureSuccess("dcm2json").Output).RootElement;
        string Uid(string tag) => json.GetProperty(tag).GetProperty("Value")[0].GetString()!;
        var (study, series, instance) = (Uid("0020000D"), Uid("0020000E"), Uid("00080018"));
        foreach (var target in new[] { on, off })
        {
            await StoreAsync(http, target, file);
        }
        var path = $"dicomweb/studies/{study}/series/{series}/instances/{instance}";
        var rounds = new List<Round>();
        for (var round = 0; round < 4; round++)
        {
            var order = round % 2 == 0 ? new[] { ("on", on, audited), ("off", off, unaudited) } : [("off", off, unaudited), ("on", on, audited)];
            foreach (var (name, target, process) in order)
            {
                rounds.Add(await LoadAsync(http, new Uri(target, path), name, process.Id, postgres.ServerProcessId, workers, seconds));
            }
        }
        return rounds;
    }

    private static async Task<Round> LoadAsync(HttpClient http, Uri url, string name, int labelingId, int postgresId, int workers, double seconds)
    {
        var warmUpEnds = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        var ends = warmUpEnds + (long)(seconds * Stopwatch.Frequency);
        var (labelingCpu, postgresCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        var started = false;
        var gate = new object();
        var latencies = await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var measured = new List<double>();
            while (Stopwatch.GetTimestamp() < ends)
            {
                var counted = Stopwatch.GetTimestamp() >= warmUpEnds;
                if (counted)
                {
                    lock (gate)
                    {
                        // The first counted request starts the CPU clocks.
                        if (!started)
                        {
                            (started, labelingCpu, postgresCpu) = (true, CpuTime.OfProcess(labelingId), CpuTime.OfTree(postgresId));
                        }
                    }
                }
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}");
                }
                if (counted)
                {
                    measured.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            return measured;
        })));
        var (labelingUsed, postgresUsed) = (CpuTime.OfProcess(labelingId) - labelingCpu, CpuTime.OfTree(postgresId) - postgresCpu);
        var all = latencies.SelectMany(list => list).Order().ToArray();
        return new Round(name, all.Length, all.Length / seconds, all.Length == 0 ? double.NaN : all[all.Length / 2],
            labelingUsed.TotalMilliseconds / Math.Max(1, all.Length), postgresUsed.TotalMilliseconds / Math.Max(1, all.Length));
    }

    private static async Task StoreAsync(HttpClient http, Uri labeling, string file)
    {
        using var content = new MultipartContent("related", "cl2-bench-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        var part = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        content.Add(part);
        using var response = await http.PostAsync(new Uri(labeling, "dicomweb/studies"), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"STOW to {labeling} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, Uri labeling)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(labeling, "health/ready"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
