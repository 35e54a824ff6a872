using Cl2.Models.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models;

/// <summary>
/// The device a process trains or infers on, chosen once: CUDA when libtorch has it, else the CPU; with the numerics
/// decision (oneDNN on or off, and why) made by <see cref="NumericsSelfCheck"/> before any training or inference.
/// </summary>
public sealed record ComputeDevice(Device Device, string Description, NumericsDecision Numerics)
{
    public bool IsCuda => Device.type == DeviceType.CUDA;

    /// <param name="preference">"auto" (CUDA when available), "cpu" or "cuda".</param>
    /// <param name="cpuThreads">Intra-op threads on the CPU; 0 means one per core.</param>
    /// <param name="oneDnn">Whether libtorch may use oneDNN on the CPU; null reads <see cref="OneDnnModes.EnvironmentVariable"/> (default auto).</param>
    /// <exception cref="NumericsCheckFailedException">libtorch's CPU kernels compute wrong values here.</exception>
    public static ComputeDevice Select(string preference = "auto", int cpuThreads = 0, OneDnnMode? oneDnn = null)
    {
        var wantsCuda = preference.Equals("cuda", StringComparison.OrdinalIgnoreCase);
        if (!wantsCuda && !preference.Equals("auto", StringComparison.OrdinalIgnoreCase) && !preference.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unknown device '{preference}': use auto, cpu or cuda.", nameof(preference));
        }
        var threads = cpuThreads > 0 ? cpuThreads : Environment.ProcessorCount;
        set_num_threads(threads);
        // The CPU's kernels are checked even with CUDA: data preparation, metrics and CPU fallbacks run on them.
        var numerics = NumericsSelfCheck.ForProcess(oneDnn ?? OneDnnModes.FromEnvironment());
        if (!preference.Equals("cpu", StringComparison.OrdinalIgnoreCase) && cuda.is_available())
        {
            return new ComputeDevice(CUDA, $"cuda ({cuda.device_count()} device(s); CPU oneDNN {OnOff(numerics)})", numerics);
        }
        if (wantsCuda)
        {
            throw new InvalidOperationException(
                "CUDA was requested but libtorch has no CUDA backend here. Put NVIDIA's libtorch folder (for example PyTorch's torch/lib) on LD_LIBRARY_PATH (docs/configuration.md, section GPU).");
        }
        return new ComputeDevice(CPU, $"cpu ({threads} threads, libtorch {__version__}, oneDNN {OnOff(numerics)})", numerics);
    }

    private static string OnOff(NumericsDecision numerics) => numerics.OneDnnEnabled ? "on" : "off";
}
