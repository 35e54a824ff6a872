using System.Diagnostics;
using System.Text;

namespace Cl2.Testing;

/// <summary>
/// A long-running process a test starts (a cl2 service, Orthanc, storescp): its output never reaches the test run's
/// console; it is kept for failure messages and, when <c>CL2_TEST_PROCESS_LOGS</c> names a folder (<c>./cl2 test</c>
/// sets it), written whole to a file there. Disposing it kills the whole process tree.
/// </summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private const int MaxKeptCharacters = 200_000;
    private readonly Process _process;
    private int _disposed;
    private readonly StringBuilder _output = new();
    private StreamWriter? _logFile;

    private BackgroundProcess(string name, Process process)
    {
        Name = name;
        this._process = process;
    }

    /// <summary>The file the whole output goes to, or null (no <c>CL2_TEST_PROCESS_LOGS</c>).</summary>
    public string? LogPath { get; private set; }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Whether the process ended by itself; false once it was stopped (disposed), which a test may do while another
    /// task still watches it.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return Volatile.Read(ref _disposed) == 0 && _process.HasExited;
            }
            catch (InvalidOperationException) when (Volatile.Read(ref _disposed) == 1)
            {
                return false;
            }
        }
    }

    /// <summary>The CPU time the process has used so far (user and kernel), read afresh; a benchmark's difference of two
    /// readings is what one stretch of work cost the process, whatever else the machine ran meanwhile.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>What the process printed so far (the last 200 000 characters).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BackgroundProcess Start(string name, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var background = new BackgroundProcess(name, process);
        process.OutputDataReceived += (_, line) => background.Append(line.Data);
        process.ErrorDataReceived += (_, line) => background.Append(line.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {fileName}");
        }
        if (Environment.GetEnvironmentVariable("CL2_TEST_PROCESS_LOGS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            background.LogPath = Path.Combine(folder, $"{string.Concat(name.Split(Path.GetInvalidFileNameChars()))}-{process.Id}.log");
            background._logFile = new StreamWriter(background.LogPath) { AutoFlush = true };
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _logFile?.WriteLine(line);
            _output.AppendLine(line);
            if (_output.Length > MaxKeptCharacters)
            {
                _output.Remove(0, _output.Length - MaxKeptCharacters);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A test may stop a service before the end of its scope (to clean up after it); the scope's disposal is then a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
        lock (_output)
        {
            _logFile?.Dispose();
            _logFile = null;
        }
    }
}
