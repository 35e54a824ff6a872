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

    private static Functions Bind() => new(
        LibTorchCpu.Function<ContextFunction>(GlobalContext),
        LibTorchCpu.Function<SetEnabledFunction>(SetUserEnabled),
        LibTorchCpu.Function<IsEnabledFunction>(UserEnabled));
}
