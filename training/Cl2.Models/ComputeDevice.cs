using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models;

/// <summary>The device a process trains or infers on, chosen once: CUDA when libtorch has it, else the CPU.</summary>
public sealed record ComputeDevice(Device Device, string Description)
{
    public bool IsCuda => Device.type == DeviceType.CUDA;

    /// <param name="preference">"auto" (CUDA when available), "cpu" or "cuda".</param>
    /// <param name="cpuThreads">Intra-op threads on the CPU; 0 means one per core.</param>
    public static ComputeDevice Select(string preference = "auto", int cpuThreads = 0)
    {
        var wantsCuda = preference.Equals("cuda", StringComparison.OrdinalIgnoreCase);
        if (!wantsCuda && !preference.Equals("auto", StringComparison.OrdinalIgnoreCase) && !preference.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unknown device '{preference}': use auto, cpu or cuda.", nameof(preference));
        }
        if (!preference.Equals("cpu", StringComparison.OrdinalIgnoreCase) && cuda.is_available())
        {
            return new ComputeDevice(CUDA, $"cuda ({cuda.device_count()} device(s))");
        }
        if (wantsCuda)
        {
            throw new InvalidOperationException(
                "CUDA was requested but libtorch has no CUDA backend here. Put NVIDIA's libtorch folder (for example PyTorch's torch/lib) on LD_LIBRARY_PATH (docs/configuration.md, section GPU).");
        }
        var threads = cpuThreads > 0 ? cpuThreads : Environment.ProcessorCount;
        set_num_threads(threads);
        return new ComputeDevice(CPU, $"cpu ({threads} threads, libtorch {__version__})");
    }
}
