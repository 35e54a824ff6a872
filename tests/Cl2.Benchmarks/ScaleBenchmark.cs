using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cl2.Dicom.Coding;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench scale [--model] [studies (20)] [instances per study (8)]`: inference throughput with one replica and with
/// two (<see cref="InferenceReplicas"/>: each replica its own process, listener and store, claiming studies through one
/// labeling on its own PostgreSQL). Without <c>--model</c> the studies are routed pass-through (what the replicas add
/// around a model: receive, forward, claim, record); with it they are synthetic liver CTs at <c>./cl2 synth</c>'s default
/// size (32³) routed to a liver model in production (the workload's network, seeded and untrained, as <c>bench e2e</c>
/// runs it), so each study also runs the model and writes its SEG and SR. For each replica count a fresh platform gets
/// every study at once, each study whole over one association, spread round-robin over the replicas' listeners (as a TCP
/// load balancer spreads associations); a replica's studies go one after another, the replicas in parallel. Throughput is
/// studies per minute from the first send to the last outcome recorded in labeling (the quiet periods included:
/// forwarding 0.5 s, completeness 2 s, as the scale-out tests use); scaling efficiency is the two-replica rate over twice
/// the one-replica rate. The peer is the one-replica run, measured in the same run.
/// </summary>
public static class ScaleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var model = args.Contains("--model");
        var numbers = args.Where(arg => arg != "--model").Select(arg => int.Parse(arg, CultureInfo.InvariantCulture)).ToArray();
        var studies = numbers.Length > 0 ? numbers[0] : 20;
        var instances = numbers.Length > 1 ? numbers[1] : 8;
        Console.WriteLine($"scale on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {E2EBenchmark.LoadAverage()}");
        var work = Directory.CreateTempSubdirectory("cl2-bench-scale-").FullName;
        try
        {
            var liver = model ? LiverStudies(work, studies) : null;
            Console.WriteLine(liver is null
                ? $"{studies} studies of {instances} instances each, pass-through, sent at once round-robin over the replicas' listeners"
                : $"{studies} synthetic liver CTs of {LiverSize} slices ({LiverSize}×{LiverSize}), the liver workload's untrained network in production, sent at once round-robin over the replicas' listeners");
            var perMinute = new Dictionary<int, double>();
            foreach (var replicas in new[] { 1, 2 })
            {
                await using var platform = await InferenceReplicas.StartAsync(replicas, logLevel: "Warning");
                if (liver is not null)
                {
                    await platform.ServeModelAsync("liver", "liver-ct", liver.Model);
                    await platform.SaveRoutingRuleAsync("liver CT", "liver-ct", "liver", "CT");
                    await Task.Delay(TimeSpan.FromSeconds(1)); // the replicas read changed rules within their refresh interval
                }
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, replicas).Select(async replica =>
                {
                    for (var study = replica; study < studies; study += replicas)
                    {
                        await (liver is null
                            ? platform.SendAsync(replica, NameBasedUid.For($"bench-scale/{Guid.NewGuid()}/{study}"), Enumerable.Range(1, instances))
                            : platform.SendFilesAsync(replica, liver.Studies[study]));
                    }
                }));
                var sent = clock.Elapsed;
                await platform.UntilAsync(async () => await platform.ResultCountAsync(study: null) >= studies, $"{studies} outcomes with {replicas} replica(s)",
                    TimeSpan.FromMinutes(30));
                perMinute[replicas] = studies / clock.Elapsed.TotalMinutes;
                var failures = await FailuresAsync(platform);
                var results = await platform.ResultCountAsync(study: null);
                Console.WriteLine($"{replicas} replica(s): sent in {sent.TotalSeconds:F1} s, last outcome after {clock.Elapsed.TotalSeconds:F1} s: " +
                    $"{perMinute[replicas]:F1} studies/minute ({results} outcomes for {studies} studies, {failures.Count} failed)");
                if (results != studies || failures.Count > 0)
                {
                    Console.Error.WriteLine(results != studies ? $"{results - studies} studies were recorded more than once" : $"failed: {string.Join("; ", failures.Distinct())}");
                    return 1;
                }
            }
            Console.WriteLine($"scaling efficiency (2 replicas / 2 × 1 replica): {perMinute[2] / (2 * perMinute[1]):P0}; load average at the end {E2EBenchmark.LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private const int LiverSize = 32;

    /// <summary>The cohort's studies as file lists and a model folder for them, written once for both replica counts.</summary>
    private static LiverWorkload LiverStudies(string work, int studies)
    {
        var cohort = Path.Combine(work, "cohort");
        var cases = SyntheticCohort.Write(WorkloadTask.LiverCt, cohort, studies, seed: 31, size: LiverSize).Cases;
        return new LiverWorkload([.. cases.Select(item => (IReadOnlyList<string>)[.. E2EBenchmark.StudyFiles(cohort, item)])],
            E2EBenchmark.UntrainedModel(WorkloadTask.LiverCt, cohort, Path.Combine(work, "model")));
    }

    /// <summary>The outcomes that did not produce a result, as "FAILURE (reason)" (of the newest 500: the most one page holds).</summary>
    private static async Task<List<string>> FailuresAsync(InferenceReplicas platform) =>
        [.. (await platform.GraphQLAsync("{ inferenceResults(first: 500) { edges { node { failure failureReason } } } }"))
            .GetProperty("inferenceResults").GetProperty("edges").EnumerateArray().Select(edge => edge.GetProperty("node"))
            .Where(node => node.GetProperty("failure").ValueKind != JsonValueKind.Null)
            .Select(node => $"{node.GetProperty("failure").GetString()} ({node.GetProperty("failureReason").GetString()})")];

    private sealed record LiverWorkload(IReadOnlyList<IReadOnlyList<string>> Studies, string Model);
}
