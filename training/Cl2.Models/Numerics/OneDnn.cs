using System.Runtime.InteropServices;

namespace Cl2.Models.Numerics;

/// <summary>
/// libtorch's switch for oneDNN (MKL-DNN) on the CPU: <c>at::globalContext().setUserEnabledMkldnn(bool)</c>, the same
/// flag as PyTorch's <c>torch.backends.mkldnn.enabled</c>. TorchSharp 0.107 does not expose it, so it is called through
/// the two C++ functions libtorch_cpu exports. With it off, convolutions take ATen's own kernels.
/// </summary>
public static class OneDnn
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabled = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string UserEnabled = "_ZNK2at7Context17userEnabledMkldnnEv";

    private static readonly Lazy<Functions> Native = new(Bind);

    /// <summary>Whether libtorch may use oneDNN for CPU operations (process-wide).</summary>
    public static bool Enabled
    {
        get => Native.Value.IsEnabled(Native.Value.Context()) != 0;
        set => Native.Value.SetEnabled(Native.Value.Context(), value ? (byte)1 : (byte)0);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ContextFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetEnabledFunction(IntPtr context, byte enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte IsEnabledFunction(IntPtr context);

    private sealed record Functions(ContextFunction Context, SetEnabledFunction SetEnabled, IsEnabledFunction IsEnabled);

    private static Functions Bind()
    {
        // Touching TorchSharp first makes it load libtorch; the handle below is then the library already in the process.
        _ = TorchSharp.torch.__version__;
        var library = LoadTorchCpu();
        return new Functions(
            Marshal.GetDelegateForFunctionPointer<ContextFunction>(NativeLibrary.GetExport(library, GlobalContext)),
            Marshal.GetDelegateForFunctionPointer<SetEnabledFunction>(NativeLibrary.GetExport(library, SetUserEnabled)),
            Marshal.GetDelegateForFunctionPointer<IsEnabledFunction>(NativeLibrary.GetExport(library, UserEnabled)));
    }

    private static IntPtr LoadTorchCpu()
    {
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
            "libtorch_cpu.so could not be found to switch oneDNN: it should be beside the application (the libtorch-cpu package) or on LD_LIBRARY_PATH.");
    }
}
