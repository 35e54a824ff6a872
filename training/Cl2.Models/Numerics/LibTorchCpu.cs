using System.Runtime.InteropServices;

namespace Cl2.Models.Numerics;

/// <summary>
/// The C++ functions of libtorch_cpu that TorchSharp 0.107 does not expose (oneDNN's switch, autocast), bound by their
/// exported (mangled) names from the libtorch TorchSharp already loaded.
/// </summary>
internal static class LibTorchCpu
{
    private static readonly Lazy<IntPtr> Handle = new(Load);

    /// <exception cref="EntryPointNotFoundException">This libtorch does not export <paramref name="symbol"/>.</exception>
    public static T Function<T>(string symbol) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(Handle.Value, symbol));

    public static bool Exports(string symbol) => NativeLibrary.TryGetExport(Handle.Value, symbol, out _);

    private static IntPtr Load()
    {
        // Touching TorchSharp first makes it load libtorch; the handle below is then the library already in the process.
        _ = TorchSharp.torch.__version__;
        // By name first: a libtorch on LD_LIBRARY_PATH (NVIDIA's, on a GPU machine) is the one TorchSharp loaded.
        if (NativeLibrary.TryLoad("libtorch_cpu.so", out var handle))
        {
            return handle;
        }
        if (NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"), out handle))
        {
            return handle;
        }
        throw new DllNotFoundException(
            "libtorch_cpu.so could not be found: it should be beside the application (the libtorch-cpu package) or on LD_LIBRARY_PATH.");
    }
}
