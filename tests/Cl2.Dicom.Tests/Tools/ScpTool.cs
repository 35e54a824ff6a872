using System.Text.RegularExpressions;
using Cl2.Dicom.Tools;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>`./cl2 dicom scp` run in-process on a free loopback port (port 0), writing into a temp folder; disposing it
/// sends what Ctrl-C sends (cancellation) and waits for the command to end.</summary>
internal sealed partial class ScpTool : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly StringWriter _output;
    private readonly TextWriter _synchronized;
    private readonly Task<int> _run;

    private ScpTool(CancellationTokenSource stop, StringWriter output, TextWriter synchronized, Task<int> run, string folder)
    {
        _stop = stop;
        _output = output;
        _synchronized = synchronized;
        _run = run;
        Folder = folder;
    }

    public string Folder { get; }
    public int Port { get; private set; }

    public string Output
    {
        get
        {
            lock (_synchronized)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ScpTool> StartAsync(string aeTitle, params string[] options)
    {
        var folder = Directory.CreateTempSubdirectory("cl2-scp-tool-").FullName;
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        var stop = new CancellationTokenSource();
        string[] args = ["scp", "--bind", "127.0.0.1", "-aet", aeTitle, "-od", folder, .. options, "0"];
        var run = Task.Run(() => DicomTool.Run(args, synchronized, synchronized, stop.Token));
        var tool = new ScpTool(stop, output, synchronized, run, folder);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Listening().Match(tool.Output) is not { Success: true } match)
        {
            if (run.IsCompleted || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"scp did not start listening:\n{tool.Output}");
            }
            await Task.Delay(20);
        }
        tool.Port = int.Parse(Listening().Match(tool.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return tool;
    }

    /// <summary>Stops it as Ctrl-C does; returns its exit code and everything it printed.</summary>
    public async Task<(int ExitCode, string Output)> StopAsync()
    {
        await _stop.CancelAsync();
        var code = await _run.WaitAsync(TimeSpan.FromSeconds(60));
        return (code, Output);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }
        _stop.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}
