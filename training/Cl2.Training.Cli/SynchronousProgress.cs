namespace Cl2.Training.Cli;

/// <summary>Reports on the caller's thread: Progress&lt;T&gt; posts to the thread pool, which reorders a progress bar.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
