using System.Diagnostics;
using static TorchSharp.torch;

namespace Cl2.Models.Numerics;

/// <summary>
/// Known-answer checks of libtorch's CPU kernels, run where libtorch starts in every process that trains or infers.
/// Some CPUs get intermittently wrong convolution gradients from oneDNN (libtorch 2.10 on AMD Zen 5: non-finite input
/// gradients, so training silently turned to NaN); ATen's own kernels are right there. In auto mode a failing check
/// turns oneDNN off and checks again; a check that still fails refuses, naming the operation and the CPU.
/// </summary>
public static class NumericsSelfCheck
{
    private static readonly Lock Gate = new();
    private static NumericsDecision? _decided;

    /// <summary>The process's decision for <paramref name="mode"/>, made on first use (oneDNN is a process-wide switch).</summary>
    /// <exception cref="NumericsCheckFailedException">No setting gives correct values here.</exception>
    public static NumericsDecision ForProcess(OneDnnMode mode)
    {
        lock (Gate)
        {
            if (_decided is null || _decided.Mode != mode.Name())
            {
                _decided = Decide(mode, KnownAnswerChecks.All);
            }
            // Whatever switched it since (a test of the fallback), the process runs as it decided.
            OneDnn.Enabled = _decided.OneDnnEnabled;
            return _decided;
        }
    }

    /// <summary>Runs <paramref name="checks"/> under <paramref name="mode"/> and leaves oneDNN switched as decided.</summary>
    public static NumericsDecision Decide(OneDnnMode mode, IReadOnlyList<KnownAnswerCheck> checks)
    {
        var cpu = CpuDescription.Read();
        var clock = Stopwatch.StartNew();
        OneDnn.Enabled = mode != OneDnnMode.Off;
        var failure = FirstFailure(checks);
        string reason;
        if (failure is null)
        {
            reason = mode == OneDnnMode.Auto ? "the self-check passed with oneDNN" : "set by the oneDNN setting; the self-check passed";
        }
        else if (mode == OneDnnMode.Auto)
        {
            OneDnn.Enabled = false;
            if (FirstFailure(checks) is { } still)
            {
                throw new NumericsCheckFailedException(
                    $"libtorch computes wrong values on this CPU ({cpu}) with and without oneDNN — {still}. " +
                    "Training or inference here would produce garbage; run on another machine or another libtorch build.");
            }
            reason = $"turned off: the self-check failed with it ({failure}) and passed without it";
        }
        else
        {
            throw new NumericsCheckFailedException(
                $"libtorch computes wrong values on this CPU ({cpu}) with oneDNN {mode.Name()} as set — {failure}. " +
                (mode == OneDnnMode.On ? "Set oneDNN to auto or off (docs/training.md)." : "Run on another machine or another libtorch build."));
        }
        return new NumericsDecision(cpu.Model, cpu.Isa, mode.Name(), OneDnn.Enabled, reason, get_num_threads(), __version__,
            clock.Elapsed.TotalMilliseconds);
    }

    private static string? FirstFailure(IReadOnlyList<KnownAnswerCheck> checks)
    {
        foreach (var check in checks)
        {
            if (check.Run() is { } failure)
            {
                return failure;
            }
        }
        return null;
    }
}
