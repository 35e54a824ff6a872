namespace Cl2.Training.Cli;

/// <summary>A one-line progress bar redrawn in place on a terminal; on a pipe or log, one line every tenth of the way.</summary>
public sealed class ProgressBar(TextWriter writer, string label, long total) : IDisposable
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsErrorRedirected && ReferenceEquals(writer, Console.Error);
    private readonly object _gate = new();
    private long _lastTenth = -1;
    private long _shown = -1;
    private bool _drawn;

    public void Update(long done, string detail)
    {
        lock (_gate)
        {
            // Parallel workers report out of order; the bar only moves forward.
            if (done < _shown)
            {
                return;
            }
            _shown = done;
            var fraction = total == 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
            var line = $"{label} [{new string('#', (int)(fraction * Width)).PadRight(Width, '.')}] {done}/{total} {detail}";
            if (_interactive)
            {
                writer.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 160) : 100));
                _drawn = true;
            }
            else if ((long)(fraction * 10) is var tenth && tenth != _lastTenth)
            {
                _lastTenth = tenth;
                writer.WriteLine(line);
            }
        }
    }

    public void Complete(long done, string detail)
    {
        Update(done, detail);
        Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_drawn)
            {
                writer.WriteLine();
                _drawn = false;
            }
        }
    }
}
