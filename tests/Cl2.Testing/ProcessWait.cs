using System.Diagnostics;

namespace Cl2.Testing;

/// <summary>Waiting on real processes: a condition polled until it holds, failing at once with the processes' output
/// when one of them exits, or when the time runs out.</summary>
public static class ProcessWait
{
    /// <summary>Polls <paramref name="condition"/> (HTTP failures count as not yet) until it holds; fails with the output of
    /// <paramref name="watched"/> when one exits or <paramref name="within"/> runs out.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within, IReadOnlyCollection<BackgroundProcess> watched,
        int pollMilliseconds = 100, CancellationToken cancellationToken = default) =>
        UntilAsync(condition, what, within, () => watched, pollMilliseconds, cancellationToken);

    /// <param name="watching">The processes to watch, asked at every poll (a test kills and restarts some while it waits).</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within, Func<IReadOnlyCollection<BackgroundProcess>> watching,
        int pollMilliseconds = 100, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }
            var watched = watching();
            if (watched.FirstOrDefault(process => process.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
            }
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"timed out after {within.TotalSeconds:F0} s waiting for {what}:\n"
                    + string.Join("\n", watched.Select(process => $"--- {process.Name}\n{process.Output}")));
            }
            await Task.Delay(pollMilliseconds, cancellationToken).ConfigureAwait(false);
        }
    }
}
