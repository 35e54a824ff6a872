using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cl2.Labeling.Tests;

/// <summary>A logger provider that keeps every line a host writes (message and exception), for tests that check what was logged.</summary>
public sealed class RecordedLogs : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Lines.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}
