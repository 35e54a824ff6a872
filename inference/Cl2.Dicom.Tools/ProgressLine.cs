using System.Diagnostics;
using System.Globalization;

namespace Cl2.Dicom.Tools;

/// <summary>
/// One status line on stderr, redrawn in place ('\r') at most a few times a second so that a fast transfer is not slowed
/// by its own progress; <see cref="Finish"/> draws the last state and ends the line.
/// </summary>
internal sealed class ProgressLine(TextWriter error)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDrawn = -Interval;
    private int _width;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Update(Func<string> text)
    {
        if (_clock.Elapsed - _lastDrawn >= Interval)
        {
            Draw(text());
        }
    }

    public void Finish(string text)
    {
        Draw(text);
        error.WriteLine();
    }

    private void Draw(string text)
    {
        _lastDrawn = _clock.Elapsed;
        error.Write("\r" + text.PadRight(_width));
        _width = text.Length;
    }

    public static string Bar(long done, long total, int width = 24)
    {
        var filled = total <= 0 ? width : (int)(width * Math.Min(done, total) / total);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.00", CultureInfo.InvariantCulture) + " MB";

    public static string Rate(double count, TimeSpan elapsed, string unit) =>
        (elapsed.TotalSeconds <= 0 ? 0 : count / elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture) + " " + unit + "/s";
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the pool).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
