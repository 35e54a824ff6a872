using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>A workload's series rules decide by the series alone, never by how busy the machine is.</summary>
public sealed class WorkloadSeriesRulesTests
{
    private const int Matches = 20000;

    /// <summary>Many spinning threads share the cores with the matching thread, so it is descheduled, often in the middle
    /// of a match, for longer than any wall-clock limit a pattern could have had.</summary>
    [Fact]
    public async Task each_workloads_rules_take_their_series_on_a_thread_starved_of_cpu()
    {
        var cases = WorkloadRegistry.All.SelectMany(workload => workload.Series.Select(rule => (Rule: rule,
            Series: new SeriesSummary("1.2.3", rule.Modalities[0], rule.SopClassUids[0], Description(rule), 1, 10)))).ToList();
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount * 32).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        }, TaskCreationOptions.LongRunning)).ToList();
        try
        {
            var refusals = await Task.Factory.StartNew(() =>
            {
                var refused = new List<string>();
                for (var i = 0; i < Matches; i++)
                {
                    var (rule, series) = cases[i % cases.Count];
                    if (rule.Mismatch(series) is { } mismatch)
                    {
                        refused.Add($"{rule}: {mismatch}");
                    }
                }
                return refused;
            }, TaskCreationOptions.LongRunning).WaitAsync(TimeSpan.FromMinutes(3));
            Assert.Empty(refusals);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(spinners);
        }
    }

    /// <summary>A description each rule takes.</summary>
    private static string Description(SeriesRule rule) => rule.Name switch
    {
        "T1" => "AX T1 MPRAGE",
        "T1c" => "AX T1 POST GD",
        "T2" => "AX T2 TSE",
        "FLAIR" => "AX T2 FLAIR",
        "DX" => "AP PELVIS BOTH HIPS",
        _ => "ABDOMEN PORTAL VENOUS 2.5MM",
    };
}
