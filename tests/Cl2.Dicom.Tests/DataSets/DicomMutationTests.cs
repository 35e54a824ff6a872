using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>
/// 100,000 seeded mutations of small corpus files per run. Input <c>i</c> is <c>DicomMutator.Create(BaseSeed + i)</c>,
/// so a reported seed replays exactly: <c>DicomParseExercise.Run(DicomMutator.Create(seed).Bytes)</c>.
/// </summary>
public sealed class DicomMutationTests(ITestOutputHelper output)
{
    private const int BaseSeed = 20_261_127;

    private const int Inputs = 100_000;

    // A hang cannot be interrupted in-process, so the budget is checked after each input; the watchdog below turns a
    // true infinite loop into a failure naming the seeds still running instead of a stuck test run. The budget detects
    // hang-like inputs, not speed: one input takes well under a second alone, but up to several seconds while the
    // other test projects share the two cores (a corrupt JPEG 2000 stream took 3.6 s in such a CI run). An input over
    // the budget is run again alone once the others are done and counts only if it is over the budget again: a load
    // spike passes, a hang-like input does not.
    private static readonly TimeSpan PerInputBudget = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Watchdog = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task one_hundred_thousand_mutated_corpus_files_parse_or_fail_typed_within_time_and_memory_bounds()
    {
        var failures = new ConcurrentQueue<string>();
        var slow = new ConcurrentQueue<MutatedInput>();
        var running = new ConcurrentDictionary<int, string>();
        long slowestTicks = 0, mostAllocated = 0, parsed = 0;
        var clock = Stopwatch.StartNew();

        var work = Task.Run(() => Parallel.For(0, Inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, state) =>
        {
            var input = DicomMutator.Create(BaseSeed + i);
            running[input.Seed] = input.File;
            var outcome = Exercise(input);
            running.TryRemove(input.Seed, out _);
            InterlockedMax(ref slowestTicks, outcome.Elapsed.Ticks);
            InterlockedMax(ref mostAllocated, outcome.Allocated);
            if (outcome.Error is null)
            {
                Interlocked.Increment(ref parsed);
            }
            if (outcome.Elapsed > PerInputBudget)
            {
                slow.Enqueue(input);
            }
            else if (Judge(input, outcome) is { } failure)
            {
                failures.Enqueue(failure);
                if (failures.Count >= 10)
                {
                    state.Stop();
                }
            }
        }));

        var finished = await Task.WhenAny(work, Task.Delay(Watchdog)) == work;
        Assert.True(finished, $"hang: still running after {Watchdog}: {string.Join(", ", running.Select(r => $"seed {r.Key} ({r.Value})"))}");
        await work;
        foreach (var input in slow.Take(10))
        {
            var alone = Exercise(input);
            if (Judge(input, alone) is { } failure)
            {
                failures.Enqueue(failure);
            }
        }
        output.WriteLine($"{Inputs} inputs in {clock.Elapsed.TotalSeconds:F1} s; {parsed} parsed, the rest typed errors; " +
            $"slowest {TimeSpan.FromTicks(slowestTicks).TotalMilliseconds:F0} ms; most allocated {mostAllocated / 1024} KiB");
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures));
    }

    private sealed record Outcome(Exception? Error, TimeSpan Elapsed, long Allocated);

    private static Outcome Exercise(MutatedInput input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            DicomParseExercise.Run(input.Bytes);
        }
#pragma warning disable CA1031 // any exception type is data here: the judge decides which are failures
        catch (Exception caught)
#pragma warning restore CA1031
        {
            error = caught;
        }
        return new Outcome(error, watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// The allocation cap is 64× the input plus 16 MiB: reading copies values once, JSON turns binary into base64 text
    /// held as UTF-16 with builder growth (about 11×), and decoding a frame widens samples (up to 4 bytes each, RGB
    /// conversions doubling that); 64× leaves room for all of these together, while a length field or a frame size taken
    /// on trust (gigabytes from a few-kilobyte file) is far above it. The 16 MiB covers fixed costs such as inflater
    /// windows and codec state.
    /// </summary>
    private static long AllocationCap(int inputLength) => (64L * inputLength) + (16L << 20);

    private static string? Judge(MutatedInput input, Outcome outcome)
    {
        var replay = $"seed {input.Seed}, file {input.File}, mutations [{input.Mutations}]";
        if (outcome.Error is { } error && !DicomParseExercise.IsTyped(error))
        {
            return $"untyped {error.GetType().Name} for {replay}:\n{error}";
        }
        if (outcome.Elapsed > PerInputBudget)
        {
            return $"took {outcome.Elapsed.TotalSeconds:F1} s run alone (budget {PerInputBudget.TotalSeconds} s) for {replay}";
        }
        var cap = AllocationCap(input.Bytes.Length);
        return outcome.Allocated > cap ? $"allocated {outcome.Allocated} bytes (cap {cap}) for {replay}" : null;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
