using System.Runtime.InteropServices;
using Cl2.Models.Numerics;

namespace Cl2.Models.Training;

/// <summary>
/// libtorch's own automatic mixed precision (what <c>torch.autocast("cuda", torch.bfloat16)</c> switches), called
/// through the functions libtorch_cpu exports (<c>at::autocast::set_autocast_enabled</c>, <c>set_autocast_dtype</c>,
/// <c>increment_nesting</c>, <c>decrement_nesting</c>, <c>clear_cache</c>): TorchSharp 0.107 has no API for it. Inside a
/// region, operations on CUDA tensors that autocast lists (convolutions, matrix products) run in bfloat16 on float32
/// weights, which stay the master copy the optimizer updates; reductions and losses stay float32. The switch is
/// per thread, as in PyTorch: enter and leave a region on the thread that runs the forward pass.
/// </summary>
public static class LibTorchAutocast
{
    /// <summary>The exported symbols, checked by <see cref="MissingSymbols"/>.</summary>
    public static IReadOnlyList<string> Symbols { get; } =
    [
        IsEnabledSymbol, SetEnabledSymbol, GetDtypeSymbol, SetDtypeSymbol, IncrementNestingSymbol, DecrementNestingSymbol, ClearCacheSymbol,
    ];

    // c10::DeviceType::CUDA and c10::ScalarType::BFloat16, as c10/core/DeviceType.h and ScalarType.h number them (int8_t enums).
    private const sbyte CudaDeviceType = 1;
    private const sbyte BFloat16ScalarType = 15;

    private const string IsEnabledSymbol = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE";
    private const string SetEnabledSymbol = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb";
    private const string GetDtypeSymbol = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE";
    private const string SetDtypeSymbol = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE";
    private const string IncrementNestingSymbol = "_ZN2at8autocast17increment_nestingEv";
    private const string DecrementNestingSymbol = "_ZN2at8autocast17decrement_nestingEv";
    private const string ClearCacheSymbol = "_ZN2at8autocast11clear_cacheEv";

    private static readonly Lazy<Functions> Native = new(() => new Functions(
        LibTorchCpu.Function<IsEnabledFunction>(IsEnabledSymbol),
        LibTorchCpu.Function<SetEnabledFunction>(SetEnabledSymbol),
        LibTorchCpu.Function<GetDtypeFunction>(GetDtypeSymbol),
        LibTorchCpu.Function<SetDtypeFunction>(SetDtypeSymbol),
        LibTorchCpu.Function<NestingFunction>(IncrementNestingSymbol),
        LibTorchCpu.Function<NestingFunction>(DecrementNestingSymbol),
        LibTorchCpu.Function<ClearCacheFunction>(ClearCacheSymbol)));

    /// <summary>The symbols this process's libtorch does not export (empty where autocast can be switched).</summary>
    public static IReadOnlyList<string> MissingSymbols() => [.. Symbols.Where(symbol => !LibTorchCpu.Exports(symbol))];

    /// <summary>Whether CUDA autocast is on for the calling thread.</summary>
    public static bool CudaEnabled => Native.Value.IsEnabled(CudaDeviceType) != 0;

    /// <summary>Turns CUDA autocast to bfloat16 on for the calling thread until the region is disposed, which restores what
    /// was set before (regions nest, as <c>torch.autocast</c> blocks do).</summary>
    public static Region CudaBFloat16() => new(Native.Value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate byte IsEnabledFunction(sbyte deviceType);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void SetEnabledFunction(sbyte deviceType, byte enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate sbyte GetDtypeFunction(sbyte deviceType);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void SetDtypeFunction(sbyte deviceType, sbyte scalarType);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int NestingFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void ClearCacheFunction();

    internal sealed record Functions(IsEnabledFunction IsEnabled, SetEnabledFunction SetEnabled, GetDtypeFunction GetDtype,
        SetDtypeFunction SetDtype, NestingFunction Increment, NestingFunction Decrement, ClearCacheFunction ClearCache);

    /// <summary>One autocast region, as PyTorch's <c>torch.autocast.__enter__</c>/<c>__exit__</c> do it.</summary>
    public sealed class Region : IDisposable
    {
        private readonly Functions _native;
        private readonly bool _wasEnabled;
        private readonly sbyte _previousDtype;
        private bool _disposed;

        internal Region(Functions native)
        {
            _native = native;
            _wasEnabled = native.IsEnabled(CudaDeviceType) != 0;
            _previousDtype = native.GetDtype(CudaDeviceType);
            native.SetDtype(CudaDeviceType, BFloat16ScalarType);
            native.SetEnabled(CudaDeviceType, 1);
            native.Increment();
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            // The outermost region drops the cache of bfloat16 copies of the weights made during the forward pass.
            if (_native.Decrement() == 0)
            {
                _native.ClearCache();
            }
            _native.SetEnabled(CudaDeviceType, _wasEnabled ? (byte)1 : (byte)0);
            _native.SetDtype(CudaDeviceType, _previousDtype);
        }
    }
}
