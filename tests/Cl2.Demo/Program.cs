using System.Diagnostics;
using System.Text.Json;
using Cl2.Demo;
using Cl2.Models.Workloads;

const string Usage = """
    usage: ./cl2 demo [--quick] [--record FILE]
      Runs the closed loop end to end on this machine, headless (docs/closed-loop.md, "./cl2 demo"): starts the platform
      with an Orthanc as the hospital PACS, trains v1 on a few noisy labels, sends new studies from the PACS, lets simulated
      radiologists correct the worst results, and lets the retraining policy and the evaluation gate make the next versions.
      Ends with one row per version, the GraphQL lineage query that proves it, and the web app's address; the platform then
      runs until you press Enter (or the input ends), and stops.
      --quick         the reduced run for CI: the liver workload only, its small network (a 3-D U-Net), tiny sizes;
                      without it, liver CT, brain MRI and hip radiographs one after another on one platform, each
                      with its small network, at larger sizes
      --record FILE   also write what the simulated people submitted (label revisions, feedback) as JSON
    """;

var quick = false;
string? record = null;
for (var index = 0; index < args.Length; index++)
{
    switch (args[index])
    {
        case "--quick":
            quick = true;
            break;
        case "--record" when index + 1 < args.Length:
            record = Path.GetFullPath(args[++index]);
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"cl2 demo: unknown argument '{args[index]}'\n{Usage}");
            return 2;
    }
}

var plan = quick ? DemoPlan.Quick : DemoPlan.Full;
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, press) =>
{
    press.Cancel = true;
    stop.Cancel();
};
var clock = Stopwatch.StartNew();
var tasks = plan.Workloads.Select(workload => workload.Task).ToList();
Console.WriteLine($"cl2 demo{(quick ? " --quick" : "")}: the closed loop on {string.Join(", ", tasks.Select(task => task.Name()))}, training "
    + $"{(plan.Network == NetworkChoice.Small ? "the small network" : "the network")} of each: "
    + string.Join(", ", tasks.Select(task => WorkloadRegistry.For(task).ArchitectureOf(plan.Network).Name)));
try
{
    await using var platform = await DemoPlatform.StartAsync(plan, line => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F0} s] {line}"), stop.Token);
    var started = clock.Elapsed;
    // One workload after another on the one platform: the worker trains one job at a time, and each workload's stages
    // are then its own.
    var runs = new List<(ClosedLoopDemo Demo, IReadOnlyList<JsonElement> Versions)>();
    foreach (var workload in plan.Workloads)
    {
        Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F0} s] == {workload.Task.Name()} ==");
        var demo = new ClosedLoopDemo(workload, DemoWorkload.For(workload.Task), plan.Seed, platform, clock, Console.Out);
        runs.Add((demo, await demo.RunAsync(stop.Token)));
    }
    if (record is not null)
    {
        new DemoRecord([.. runs.Select(run => run.Demo.Log)]).Write(record);
    }
    foreach (var (demo, versions) in runs)
    {
        Console.WriteLine();
        Console.WriteLine($"{demo.Log.Task}:");
        DemoReport.WriteTable(Console.Out, versions);
    }
    DemoReport.WriteStages(Console.Out, started, runs.Select(run => (run.Demo.Log.Task, run.Demo.Stages)), clock.Elapsed);
    var mismatches = new List<string>();
    using (var engineer = await platform.SignInAsync("ml-engineer", stop.Token))
    {
        foreach (var (demo, versions) in runs)
        {
            await DemoReport.WriteLineageAsync(Console.Out, engineer, demo.Log.ModelId, stop.Token);
            mismatches.AddRange(LineageCheck.Mismatches(versions, demo.Log).Select(mismatch => $"{demo.Log.Task} {mismatch}"));
        }
    }
    Console.WriteLine();
    if (mismatches.Count > 0)
    {
        Console.Error.WriteLine($"cl2 demo: a version's lineage does not name exactly what it trained on:\n  {string.Join("\n  ", mismatches)}");
        return 1;
    }
    Console.WriteLine("Lineage checked: every version names exactly the annotators' train and validation revisions and the corrections given "
        + "before its job, but every fifth corrected study, which its evaluation names instead.");
    var webApp = File.Exists(Path.Combine(Repository.Root, "web", "dist", "index.html"));
    Console.WriteLine(webApp
        ? $"See the same in the web app: {string.Join("  ", runs.Select(run => $"{platform.Launcher.GatewayUrl}models?model={run.Demo.Log.ModelId}"))}"
        : $"The web app is not built (./cl2 up builds it); the gateway's status page: {platform.Launcher.GatewayUrl}status");
    Console.WriteLine($"  sign in as ml-engineer, radiologist or annotator; passwords in {Path.Combine(platform.Launcher.State, "identity", "secrets", "users")}/");
    Console.WriteLine($"  GraphQL: {platform.Launcher.GatewayUrl}graphql   (token: the password grant of client cl2-cli at {platform.Launcher.GatewayUrl}connect/token)");
    Console.WriteLine("The platform runs until you press Enter (or the input ends); then it stops and its state is deleted.");
    await Task.WhenAny(Task.Run(Console.In.ReadLine, CancellationToken.None), Task.Delay(Timeout.Infinite, stop.Token));
    Console.WriteLine("Stopping.");
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("cl2 demo: interrupted; stopped everything it started.");
    return 130;
}
catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or HttpRequestException)
{
    Console.Error.WriteLine($"cl2 demo failed after {clock.Elapsed.TotalSeconds:F0} s: {exception.Message}");
    return 1;
}
