using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cl2.Inference.Tests.Listener;

/// <summary>Every line a host logs, as formatted, for tests that a refusal leaves a trace.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Waits (a generous bound, not a timing claim) for a line containing every one of <paramref name="parts"/>.</summary>
    public async Task<string> LineAsync(params string[] parts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (Lines.FirstOrDefault(line => parts.All(part => line.Contains(part, StringComparison.Ordinal))) is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no log line with {string.Join(" and ", parts)}:\n{string.Join("\n", Lines)}");
            await Task.Delay(50);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
