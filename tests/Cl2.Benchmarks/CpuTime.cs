using System.Globalization;

namespace Cl2.Benchmarks;

/// <summary>
/// CPU time (user + system) of a process, or of a process and its children, read from /proc. On a shared machine a
/// benchmark's wall time mostly says how long it waited for the cores; what its work cost is its CPU time.
/// </summary>
public static class CpuTime
{
    private static readonly Lazy<double> TicksPerSecond = new(() =>
        double.Parse(ProcessOutput("getconf", "CLK_TCK"), CultureInfo.InvariantCulture));

    /// <summary>User + system CPU time of a whole process, all its threads.</summary>
    public static TimeSpan OfProcess(int processId)
    {
        using var process = System.Diagnostics.Process.GetProcessById(processId);
        return process.TotalProcessorTime;
    }

    /// <summary>The process and its living children (a PostgreSQL server: the postmaster, its backends and writers).</summary>
    public static TimeSpan OfTree(int processId)
    {
        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var candidate) &&
                Read(candidate) is { } stat && (candidate == processId || stat.Parent == processId))
            {
                ticks += stat.Ticks;
            }
        }
        return Seconds(ticks);
    }

    private static TimeSpan Seconds(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond.Value);

    private static (int Parent, long Ticks)? Read(int processId)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (IOException)
        {
            return null; // gone meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // The command name is in parentheses and may contain spaces: the fields that follow are counted from its end.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // state ppid … utime stime: fields 3, 4, 14 and 15 of proc(5), here 0, 1, 11 and 12.
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    private static string ProcessOutput(string fileName, string argument)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(fileName, argument) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }
}
