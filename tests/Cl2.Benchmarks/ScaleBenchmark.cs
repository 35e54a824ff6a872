using System.Diagnostics;
using System.Globalization;
using Cl2.Dicom.Coding;
using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench scale [studies (20)] [instances per study (8)]`: inference throughput with one replica and with two
/// (<see cref="InferenceReplicas"/>: each replica its own process, listener and store, claiming studies through one
/// labeling on its own PostgreSQL), pass-through routing. For each replica count a fresh platform gets every study at
/// once, each study whole over one association, spread round-robin over the replicas' listeners (as a TCP load balancer
/// spreads associations); a replica's studies go one after another, the replicas in parallel. Throughput is studies per
/// minute from the first send to the last outcome recorded in labeling (the quiet periods included: forwarding 0.5 s,
/// completeness 2 s, as the scale-out tests use); scaling efficiency is the two-replica rate over twice the one-replica
/// rate. The peer is the one-replica run, measured in the same run.
/// </summary>
public static class ScaleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var studies = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var instances = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        Console.WriteLine($"scale on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {E2EBenchmark.LoadAverage()}");
        Console.WriteLine($"{studies} studies of {instances} instances each, pass-through, sent at once round-robin over the replicas' listeners");
        var perMinute = new Dictionary<int, double>();
        foreach (var replicas in new[] { 1, 2 })
        {
            await using var platform = await InferenceReplicas.StartAsync(replicas, logLevel: "Warning");
            var uids = Enumerable.Range(0, studies).Select(study => NameBasedUid.For($"bench-scale/{Guid.NewGuid()}/{study}")).ToList();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, replicas).Select(async replica =>
            {
                foreach (var study in uids.Where((_, index) => index % replicas == replica))
                {
                    await platform.SendAsync(replica, study, Enumerable.Range(1, instances));
                }
            }));
            var sent = clock.Elapsed;
            await platform.UntilAsync(async () => await platform.ResultCountAsync(study: null) >= studies, $"{studies} outcomes with {replicas} replica(s)",
                TimeSpan.FromMinutes(30));
            perMinute[replicas] = studies / clock.Elapsed.TotalMinutes;
            var results = await platform.ResultCountAsync(study: null);
            Console.WriteLine($"{replicas} replica(s): sent in {sent.TotalSeconds:F1} s, last outcome after {clock.Elapsed.TotalSeconds:F1} s: " +
                $"{perMinute[replicas]:F1} studies/minute ({results} outcomes for {studies} studies)");
            if (results != studies)
            {
                Console.Error.WriteLine($"{results - studies} studies were recorded more than once");
                return 1;
            }
        }
        Console.WriteLine($"scaling efficiency (2 replicas / 2 × 1 replica): {perMinute[2] / (2 * perMinute[1]):P0}; load average at the end {E2EBenchmark.LoadAverage()}");
        return 0;
    }
}
