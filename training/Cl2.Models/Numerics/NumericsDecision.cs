namespace Cl2.Models.Numerics;

/// <summary>
/// What a process decided about its CPU numerics, once, where libtorch starts: said in the log, in <c>./cl2 train</c>'s
/// output, in the worker's health report and in every model version's manifest.
/// </summary>
/// <param name="Mode">The setting (auto, on, off).</param>
/// <param name="OneDnnEnabled">Whether libtorch uses oneDNN on the CPU in this process.</param>
/// <param name="Reason">Why: the setting, or the self-check's result (with the failure that turned oneDNN off).</param>
/// <param name="CheckMilliseconds">What the self-check cost at start-up.</param>
public sealed record NumericsDecision(
    string Cpu,
    string Isa,
    string Mode,
    bool OneDnnEnabled,
    string Reason,
    int Threads,
    string Libtorch,
    double CheckMilliseconds)
{
    public string Summary =>
        $"CPU {Cpu} ({Isa}), {Threads} threads, libtorch {Libtorch}, oneDNN {(OneDnnEnabled ? "on" : "off")} ({Mode}: {Reason})";
}
