namespace Cl2.Testing;

/// <summary>Garbage collections without pause, for tests of code that hands native libraries objects the collector owns.</summary>
public static class GarbageCollection
{
    /// <summary>Runs <paramref name="work"/> while another thread collects garbage and runs finalizers without pause: what
    /// a busy process's other threads (a background loader, DICOM parsing, HTTP) cause while native calls are running.</summary>
    /// <remarks>Generation 0 only: an object made for one native call (TorchSharp's implicit Scalar) is still in generation
    /// 0 while that call runs, and a gen-0 collection finalizes it as a full one would. A full collection's pause grows with
    /// everything else the test process holds (other test classes run beside these), so full ones came far apart: with two
    /// million other live objects, the sliding-window blending of an implicit Scalar ran 1,500 calls on 12 threads in 203 s
    /// and failed once under full collections, in 26 s and failed on every thread under gen-0 ones.</remarks>
    public static async Task<T> WhileCollectingAsync<T>(Func<Task<T>> work)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            return await work();
        }
        finally
        {
            await stop.CancelAsync();
            await collector;
        }
    }
}
