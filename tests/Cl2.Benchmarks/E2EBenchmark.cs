using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cl2.Models.Checkpoints;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Cl2.Testing;
using static TorchSharp.torch;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench e2e [studies (20)]`: the loop a hospital sees, each part real (<see cref="ServingPlatform"/>: Orthanc as
/// the PACS, inference, labeling, PostgreSQL with fsync on). For each scenario Orthanc sends the synthetic studies to CL2
/// one at a time (REST <c>/modalities/CL2/store</c>, synchronous), and the latency of a study is from that call's answer
/// (its last instance has left Orthanc) to its result stored in Orthanc (polled every 20 ms; pass-through writes no
/// object, so there: to its outcome recorded in labeling). Scenarios: (a) pass-through, (b) each workload at the synthetic
/// sizes (<c>./cl2 synth</c>'s defaults) on the CPU, with seeded untrained weights of the workload's network (the time of
/// a forward pass does not depend on what the weights learned). The quiet period is 1 s. Then throughput: rounds of 4
/// studies sent at once (one store job, back to back on one association), studies per minute from the send to the last
/// result. The peer, MONAI Deploy (informatics gateway + workflow manager), is not run here: its published figures are
/// quoted (about 45 s of fixed overhead for a trivial app, about 2.5 minutes end to end for a liver CT).
/// </summary>
public static class E2EBenchmark
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);
    private const int AtOnce = 4;
    private const double MonaiDeployFixedOverheadSeconds = 45;
    private const double MonaiDeployLiverSeconds = 150;

    /// <param name="Seed">The cohort's seed: each scenario's studies have their own UIDs.</param>
    private sealed record Scenario(string Name, WorkloadTask? Task, int Size, string Modality, int ResultObjects, int Seed);

    private sealed record StudyTiming(double TotalMs, double SendMs, IReadOnlyDictionary<string, double> Stages);

    public static async Task<int> RunAsync(string[] args)
    {
        var studies = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        Console.WriteLine($"e2e on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {LoadAverage()}");
        Console.WriteLine($"{studies} studies per scenario, one at a time, then {studies / AtOnce} rounds of {AtOnce} at once; quiet period {QuietPeriod.TotalSeconds:F0} s; PostgreSQL fsync on");
        Scenario[] scenarios =
        [
            new("pass-through", null, 32, "CT", 0, Seed: 11),
            new("liver-ct", WorkloadTask.LiverCt, 32, "CT", 2, Seed: 12),
            new("brain-mri", WorkloadTask.BrainMri, 32, "MR", 2, Seed: 13),
            new("hip-xray", WorkloadTask.HipXray, 96, "DX", 1, Seed: 14),
        ];
        await using var platform = await ServingPlatform.StartAsync(durable: true);
        await platform.StartInferenceAsync(QuietPeriod);
        var summaries = new List<string>();
        double? passThroughP95 = null, liverP50 = null;
        foreach (var scenario in scenarios)
        {
            var (sequential, perMinute) = await RunScenarioAsync(platform, scenario, studies);
            var totals = sequential.Select(timing => timing.TotalMs).ToList();
            Console.WriteLine();
            Console.WriteLine($"{scenario.Name}: last instance out of Orthanc → {(scenario.ResultObjects == 0 ? "outcome recorded in labeling" : "result stored in Orthanc")}, {sequential.Count} studies");
            Console.WriteLine($"  {"stage",-34} {"p50 ms",9} {"p95 ms",9}");
            Console.WriteLine($"  {"total",-34} {Percentile(totals, 50),9:F0} {Percentile(totals, 95),9:F0}");
            // The completeness wait runs from the first instance; what of it falls after the last one left Orthanc is the wait seen here.
            var waitAfterLast = sequential.Select(timing => Math.Max(0, timing.Stages.GetValueOrDefault("WAIT_FOR_COMPLETENESS") - timing.SendMs)).ToList();
            Console.WriteLine($"  {"completeness wait after the last",-34} {Percentile(waitAfterLast, 50),9:F0} {Percentile(waitAfterLast, 95),9:F0}");
            string[] processing = ["LOAD", "PREPROCESS", "MODEL", "POSTPROCESS", "ENCODE"];
            foreach (var stage in processing.Where(stage => sequential.Any(timing => timing.Stages.ContainsKey(stage))))
            {
                var values = sequential.Select(timing => timing.Stages.GetValueOrDefault(stage)).ToList();
                Console.WriteLine($"  {stage.ToLowerInvariant(),-34} {Percentile(values, 50),9:F0} {Percentile(values, 95),9:F0}");
            }
            var rest = sequential.Zip(waitAfterLast).Select(pair => pair.First.TotalMs - pair.Second - processing.Sum(stage => pair.First.Stages.GetValueOrDefault(stage))).ToList();
            Console.WriteLine($"  {"queue, record, deliver, poll",-34} {Percentile(rest, 50),9:F0} {Percentile(rest, 95),9:F0}");
            var beyondQuiet = totals.Select(total => total - QuietPeriod.TotalMilliseconds).ToList();
            Console.WriteLine($"  {"beyond the quiet period",-34} {Percentile(beyondQuiet, 50),9:F0} {Percentile(beyondQuiet, 95),9:F0}");
            Console.WriteLine($"  {AtOnce} at once: {perMinute:F1} studies/minute");
            summaries.Add($"{scenario.Name,-13} p50 {Percentile(totals, 50) / 1000,6:F2} s  p95 {Percentile(totals, 95) / 1000,6:F2} s  {perMinute,6:F1} studies/min ({AtOnce} at once)");
            if (scenario.Task is null)
            {
                passThroughP95 = Percentile(beyondQuiet, 95) / 1000;
            }
            if (scenario.Task == WorkloadTask.LiverCt)
            {
                liverP50 = Percentile(totals, 50) / 1000;
            }
        }
        Console.WriteLine();
        summaries.ForEach(Console.WriteLine);
        Console.WriteLine($"MONAI Deploy is not run here; its published figures: ~{MonaiDeployFixedOverheadSeconds:F0} s fixed overhead, ~{MonaiDeployLiverSeconds / 60:F1} min end to end for a liver CT.");
        Console.WriteLine($"fixed overhead beyond the quiet period, p95: cl2 {passThroughP95:F2} s vs ~{MonaiDeployFixedOverheadSeconds:F0} s: {MonaiDeployFixedOverheadSeconds / passThroughP95:F0}× less");
        Console.WriteLine($"liver CT end to end, p50: cl2 {liverP50:F2} s vs ~{MonaiDeployLiverSeconds:F0} s: {MonaiDeployLiverSeconds / liverP50:F0}× less (cl2's synthetic 32³ CT, not a clinical one)");
        Console.WriteLine($"load average at the end {LoadAverage()}");
        return 0;
    }

    private static async Task<(List<StudyTiming> Sequential, double PerMinute)> RunScenarioAsync(ServingPlatform platform, Scenario scenario, int studies)
    {
        var task = scenario.Task ?? WorkloadTask.LiverCt;
        var cohort = Path.Combine(platform.WorkFolder, scenario.Name);
        var rounds = studies / AtOnce;
        var cases = SyntheticCohort.Write(task, cohort, studies + (rounds * AtOnce), seed: scenario.Seed, size: scenario.Size).Cases;
        await platform.DeleteRoutingRulesAsync();
        string? modelName = null;
        if (scenario.Task is { } model)
        {
            modelName = scenario.Name + "-bench";
            var modelId = await platform.RegisterModelAsync(modelName, scenario.Name);
            var versionId = await platform.RegisterVersionAsync(modelId, UntrainedModel(model, cohort, Path.Combine(cohort, "model")), new Dictionary<string, double>());
            await platform.PromoteAsync(modelId, versionId);
        }
        await platform.SaveRoutingRuleAsync(scenario.Name + " bench", scenario.Name, modelName, scenario.Modality);
        Progress(scenario.Name, "storing the studies in Orthanc");
        var inPacs = new List<string>();
        foreach (var item in cases)
        {
            inPacs.Add((await platform.UploadToPacsAsync(StudyFiles(cohort, item))).Single());
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // inference reads the changed rules within its refresh interval (0.2 s)

        var sequential = new List<StudyTiming>();
        for (var i = 0; i < studies; i++)
        {
            Progress(scenario.Name, $"study {i + 1}/{studies} one at a time");
            var sent = Stopwatch.StartNew();
            await platform.SendFromPacsAsync(inPacs[i]);
            var sendMs = sent.Elapsed.TotalMilliseconds;
            var clock = Stopwatch.StartNew();
            await UntilDoneAsync(platform, scenario, cases[i].StudyInstanceUid);
            var total = clock.Elapsed.TotalMilliseconds;
            sequential.Add(new StudyTiming(total, sendMs, await StagesAsync(platform, cases[i].StudyInstanceUid)));
        }
        var elapsed = TimeSpan.Zero;
        for (var round = 0; round < rounds; round++)
        {
            Progress(scenario.Name, $"round {round + 1}/{rounds} of {AtOnce} at once");
            var batch = Enumerable.Range(studies + (round * AtOnce), AtOnce).ToList();
            var clock = Stopwatch.StartNew();
            await platform.SendFromPacsAsync([.. batch.Select(i => inPacs[i])]);
            await Task.WhenAll(batch.Select(i => UntilDoneAsync(platform, scenario, cases[i].StudyInstanceUid)));
            elapsed += clock.Elapsed;
        }
        Console.Error.Write("\r" + new string(' ', 72) + "\r");
        return (sequential, rounds * AtOnce / elapsed.TotalMinutes);
    }

    private static Task UntilDoneAsync(ServingPlatform platform, Scenario scenario, string study) => platform.UntilAsync(async () => scenario.ResultObjects == 0
            ? (await platform.OutcomesAsync(study)).GetProperty("totalCount").GetInt32() > 0
            : (await platform.ResultIdsInPacsAsync(study)).Count >= scenario.ResultObjects,
        $"{scenario.Name} study {study}", TimeSpan.FromMinutes(5), pollMilliseconds: 20);

    /// <summary>The recorded stage timings of the study's outcome, by stage; fails when the outcome is a failure.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> StagesAsync(ServingPlatform platform, string study)
    {
        // A send that stalls past the quiet period (a loaded machine) completes a study early: its first outcome is then a
        // failure (a CT series of one slice) and the whole study's a second one. The timing is the successful one's.
        var outcomes = (await platform.OutcomesAsync(study)).GetProperty("edges").EnumerateArray().Select(edge => edge.GetProperty("node")).ToList();
        var outcome = outcomes.FirstOrDefault(node => node.GetProperty("failure").ValueKind == JsonValueKind.Null);
        if (outcome.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"study {study} failed: {string.Join(", ", outcomes)}");
        }
        if (outcomes.Count > 1)
        {
            Console.Error.WriteLine($"\rstudy {study}: {outcomes.Count} outcomes (completed before all its instances arrived)");
        }
        return outcome.GetProperty("stages").EnumerateArray().ToDictionary(stage => stage.GetProperty("stage").GetString()!, stage => stage.GetProperty("durationMs").GetDouble());
    }

    /// <summary>A model folder with the workload's network as seeded, untrained weights at the cohort's spacing.</summary>
    private static string UntrainedModel(WorkloadTask task, string cohort, string folder)
    {
        var spacing = SyntheticTrainingSet.Spacing(cohort, CohortManifest.Read(cohort).Cases[0], task);
        var workload = WorkloadRegistry.For(task);
        random.manual_seed(1);
        using var network = workload.CreateNetwork();
        Checkpoint.WriteAsync(network, new CheckpointManifest(workload.Architecture, new InputSpec(workload.Channels, [.. spacing.Reverse()]), workload.Output,
            new TrainingLineage(null, null, "bench"), ""), folder, CancellationToken.None).GetAwaiter().GetResult();
        return folder;
    }

    private static IEnumerable<string> StudyFiles(string cohort, CohortCase item) =>
        item.Series.Values.SelectMany(series => Directory.GetFiles(Path.Combine(cohort, series), "*.dcm")).Order(StringComparer.Ordinal);

    internal static double Percentile(IReadOnlyList<double> values, double percent)
    {
        var sorted = values.Order().ToList();
        var rank = percent / 100 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    private static void Progress(string scenario, string what) => Console.Error.Write($"\re2e {scenario}: {what}".PadRight(72));

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
