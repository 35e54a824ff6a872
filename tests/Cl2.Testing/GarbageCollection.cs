namespace Cl2.Testing;

/// <summary>Garbage collections without pause, for tests of code that hands native libraries objects the collector owns.</summary>
public static class GarbageCollection
{
    /// <summary>Runs <paramref name="work"/> while another thread collects garbage and runs finalizers without pause: what
    /// a busy process's other threads (a background loader, DICOM parsing, HTTP) cause while native calls are running.</summary>
    public static async Task<T> WhileCollectingAsync<T>(Func<Task<T>> work)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
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
