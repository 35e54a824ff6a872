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
/// result. A study that fails (no result within the bound, or a failure recorded) is printed and left out, and the run
/// goes on; a scenario that stops early prints the table of the studies it measured. The peer, MONAI Deploy (informatics gateway + workflow manager), is not run here: its published figures are
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

    /// <summary>What a scenario measured before it ended or stopped, and why each study or the scenario failed.</summary>
    private sealed class ScenarioRun
    {
        public List<StudyTiming> Sequential { get; } = [];

        public List<string> Failures { get; } = [];

        public double? PerMinute { get; set; }
    }

    /// <summary>The stages a model run records with its outcome, in order. DELIVER follows them in the table (from the
    /// objects' hand-over to the outbox until Orthanc had them); it overlaps recording the outcome, so it is not subtracted
    /// from the rest.</summary>
    private static readonly string[] ProcessingStages = ["LOAD", "PREPROCESS", "MODEL", "POSTPROCESS", "ENCODE"];

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
        var failures = 0;
        double? passThroughP95 = null, liverP50 = null;
        foreach (var scenario in scenarios)
        {
            var run = await RunScenarioAsync(platform, scenario, studies);
            failures += run.Failures.Count;
            var sequential = run.Sequential;
            Console.WriteLine();
            Console.WriteLine($"{scenario.Name}: last instance out of Orthanc → {(scenario.ResultObjects == 0 ? "outcome recorded in labeling" : "result stored in Orthanc")}, {sequential.Count} studies"
                + (run.Failures.Count > 0 ? $", {run.Failures.Count} failed (above)" : ""));
            if (sequential.Count == 0)
            {
                summaries.Add($"{scenario.Name,-13} no study measured");
                continue;
            }
            var totals = sequential.Select(timing => timing.TotalMs).ToList();
            Console.WriteLine($"  {"stage",-34} {"p50 ms",9} {"p95 ms",9}");
            Console.WriteLine($"  {"total",-34} {Percentile(totals, 50),9:F0} {Percentile(totals, 95),9:F0}");
            // The completeness wait runs from the first instance; what of it falls after the last one left Orthanc is the wait seen here.
            var waitAfterLast = sequential.Select(timing => Math.Max(0, timing.Stages.GetValueOrDefault("WAIT_FOR_COMPLETENESS") - timing.SendMs)).ToList();
            Console.WriteLine($"  {"completeness wait after the last",-34} {Percentile(waitAfterLast, 50),9:F0} {Percentile(waitAfterLast, 95),9:F0}");
            foreach (var stage in ProcessingStages.Append("DELIVER").Where(stage => sequential.Any(timing => timing.Stages.ContainsKey(stage))))
            {
                var values = sequential.Select(timing => timing.Stages.GetValueOrDefault(stage)).ToList();
                Console.WriteLine($"  {stage.ToLowerInvariant(),-34} {Percentile(values, 50),9:F0} {Percentile(values, 95),9:F0}");
            }
            var rest = sequential.Zip(waitAfterLast).Select(pair => pair.First.TotalMs - pair.Second - ProcessingStages.Sum(stage => pair.First.Stages.GetValueOrDefault(stage))).ToList();
            Console.WriteLine($"  {"queue, record, deliver, poll",-34} {Percentile(rest, 50),9:F0} {Percentile(rest, 95),9:F0}");
            var beyondQuiet = totals.Select(total => total - QuietPeriod.TotalMilliseconds).ToList();
            Console.WriteLine($"  {"beyond the quiet period",-34} {Percentile(beyondQuiet, 50),9:F0} {Percentile(beyondQuiet, 95),9:F0}");
            var perMinute = run.PerMinute is { } rate ? $"{rate,6:F1} studies/min ({AtOnce} at once)" : "no round at once measured";
            Console.WriteLine(run.PerMinute is { } measured ? $"  {AtOnce} at once: {measured:F1} studies/minute" : $"  {AtOnce} at once: no round measured");
            summaries.Add($"{scenario.Name,-13} p50 {Percentile(totals, 50) / 1000,6:F2} s  p95 {Percentile(totals, 95) / 1000,6:F2} s  {perMinute}");
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
        if (passThroughP95 is { } overhead)
        {
            Console.WriteLine($"fixed overhead beyond the quiet period, p95: cl2 {overhead:F2} s vs ~{MonaiDeployFixedOverheadSeconds:F0} s: {MonaiDeployFixedOverheadSeconds / overhead:F0}× less");
        }
        if (liverP50 is { } liver)
        {
            Console.WriteLine($"liver CT end to end, p50: cl2 {liver:F2} s vs ~{MonaiDeployLiverSeconds:F0} s: {MonaiDeployLiverSeconds / liver:F0}× less (cl2's synthetic 32³ CT, not a clinical one)");
        }
        Console.WriteLine($"load average at the end {LoadAverage()}");
        if (failures > 0)
        {
            Console.WriteLine($"{failures} studies or scenarios failed (printed above): the figures leave them out");
            return 1;
        }
        return 0;
    }

    /// <summary>The scenario's studies one at a time, then in rounds at once. A study that fails is printed and left out; a
    /// scenario whose set-up fails stops there, with what it measured.</summary>
    private static async Task<ScenarioRun> RunScenarioAsync(ServingPlatform platform, Scenario scenario, int studies)
    {
        var run = new ScenarioRun();
        try
        {
            await MeasureAsync(platform, scenario, studies, run);
        }
        catch (Exception stopped) when (stopped is not OutOfMemoryException)
        {
            Fail(run, $"{scenario.Name} stopped early: {stopped.GetType().Name}: {stopped.Message}");
        }
        Console.Error.Write("\r" + new string(' ', 72) + "\r");
        return run;
    }

    private static async Task MeasureAsync(ServingPlatform platform, Scenario scenario, int studies, ScenarioRun run)
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

        for (var i = 0; i < studies; i++)
        {
            Progress(scenario.Name, $"study {i + 1}/{studies} one at a time");
            try
            {
                var sent = Stopwatch.StartNew();
                await platform.SendFromPacsAsync(inPacs[i]);
                var sendMs = sent.Elapsed.TotalMilliseconds;
                var clock = Stopwatch.StartNew();
                await UntilDoneAsync(platform, scenario, cases[i].StudyInstanceUid);
                var total = clock.Elapsed.TotalMilliseconds;
                run.Sequential.Add(new StudyTiming(total, sendMs, await StagesAsync(platform, scenario, cases[i].StudyInstanceUid)));
            }
            catch (Exception failed) when (failed is TimeoutException or InvalidOperationException or HttpRequestException)
            {
                Fail(run, $"{scenario.Name} study {i + 1} ({cases[i].StudyInstanceUid}) failed: {failed.Message}");
            }
        }
        var elapsed = TimeSpan.Zero;
        var measured = 0;
        for (var round = 0; round < rounds; round++)
        {
            Progress(scenario.Name, $"round {round + 1}/{rounds} of {AtOnce} at once");
            var batch = Enumerable.Range(studies + (round * AtOnce), AtOnce).ToList();
            try
            {
                var clock = Stopwatch.StartNew();
                await platform.SendFromPacsAsync([.. batch.Select(i => inPacs[i])]);
                await Task.WhenAll(batch.Select(i => UntilDoneAsync(platform, scenario, cases[i].StudyInstanceUid)));
                elapsed += clock.Elapsed;
                measured += AtOnce;
            }
            catch (Exception failed) when (failed is TimeoutException or InvalidOperationException or HttpRequestException)
            {
                Fail(run, $"{scenario.Name} round {round + 1} of {AtOnce} at once failed: {failed.Message}");
            }
        }
        if (measured > 0)
        {
            run.PerMinute = measured / elapsed.TotalMinutes;
        }
    }

    /// <summary>Prints the failure's first line (a timeout's message goes on with the services' whole output).</summary>
    private static void Fail(ScenarioRun run, string failure)
    {
        failure = failure.Split('\n')[0];
        Console.Error.Write("\r" + new string(' ', 72) + "\r");
        Console.WriteLine(failure);
        run.Failures.Add(failure);
    }

    /// <summary>Until the study's result is in Orthanc (pass-through: its outcome recorded). Its outcomes are looked at every
    /// second meanwhile: a study recorded only as a failure throws at once instead of waiting out the bound.</summary>
    private static Task UntilDoneAsync(ServingPlatform platform, Scenario scenario, string study)
    {
        var sinceCheck = Stopwatch.StartNew();
        return platform.UntilAsync(async () =>
        {
            if (scenario.ResultObjects == 0)
            {
                return (await platform.OutcomesAsync(study)).GetProperty("totalCount").GetInt32() > 0;
            }
            if ((await platform.ResultIdsInPacsAsync(study)).Count >= scenario.ResultObjects)
            {
                return true;
            }
            if (sinceCheck.Elapsed > TimeSpan.FromSeconds(1))
            {
                sinceCheck.Restart();
                var outcomes = await OutcomesAsync(platform, study);
                if (outcomes.Count > 0 && outcomes.All(outcome => outcome.GetProperty("failure").ValueKind != JsonValueKind.Null))
                {
                    throw new InvalidOperationException($"recorded as {string.Join(", ", outcomes.Select(Failure))}");
                }
            }
            return false;
        }, $"{scenario.Name} study {study}", TimeSpan.FromMinutes(5), pollMilliseconds: 20);
    }

    /// <summary>The recorded stage timings of the study's successful outcome, by stage; throws when it has none. DELIVER is
    /// recorded once labeling hears that Orthanc has the objects, a moment after they arrive: it is waited for.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> StagesAsync(ServingPlatform platform, Scenario scenario, string study)
    {
        JsonElement outcome = default;
        await platform.UntilAsync(async () =>
        {
            // A send that stalls past the quiet period (a loaded machine) completes a study early: its first outcome is then a
            // failure (a CT series of one slice) and the whole study's a second one. The timing is the successful one's.
            var outcomes = await OutcomesAsync(platform, study);
            if (outcomes.Count == 0)
            {
                return false; // the objects reach the outbox, so Orthanc, before the outcome is recorded
            }
            outcome = outcomes.FirstOrDefault(node => node.GetProperty("failure").ValueKind == JsonValueKind.Null);
            if (outcome.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"recorded as {string.Join(", ", outcomes.Select(Failure))}");
            }
            if (outcomes.Count > 1)
            {
                Console.Error.WriteLine($"\rstudy {study}: {outcomes.Count} outcomes (completed before all its instances arrived)");
            }
            return scenario.ResultObjects == 0 || outcome.GetProperty("stages").EnumerateArray().Any(stage => stage.GetProperty("stage").GetString() == "DELIVER");
        }, $"the DELIVER stage of {scenario.Name} study {study}", TimeSpan.FromMinutes(1), pollMilliseconds: 20);
        return outcome.GetProperty("stages").EnumerateArray().ToDictionary(stage => stage.GetProperty("stage").GetString()!, stage => stage.GetProperty("durationMs").GetDouble());
    }

    private static async Task<List<JsonElement>> OutcomesAsync(ServingPlatform platform, string study) =>
        [.. (await platform.OutcomesAsync(study)).GetProperty("edges").EnumerateArray().Select(edge => edge.GetProperty("node"))];

    private static string Failure(JsonElement outcome) => $"{outcome.GetProperty("failure").GetString()} ({outcome.GetProperty("failureReason").GetString()})";

    /// <summary>A model folder with the workload's network as seeded, untrained weights at the cohort's spacing.</summary>
    internal static string UntrainedModel(WorkloadTask task, string cohort, string folder)
    {
        var spacing = SyntheticTrainingSet.Spacing(cohort, CohortManifest.Read(cohort).Cases[0], task);
        var workload = WorkloadRegistry.For(task);
        random.manual_seed(1);
        using var network = workload.CreateNetwork();
        Checkpoint.WriteAsync(network, new CheckpointManifest(workload.Architecture, new InputSpec(workload.Channels, [.. spacing.Reverse()]), workload.Output,
            new TrainingLineage(null, null, "bench"), ""), folder, CancellationToken.None).GetAwaiter().GetResult();
        return folder;
    }

    internal static IEnumerable<string> StudyFiles(string cohort, CohortCase item) =>
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
