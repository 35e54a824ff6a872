using System.Diagnostics;
using System.Net.Sockets;

namespace Cl2.Testing;

/// <summary>DCMTK storescp on a free port, bit-preserving (+B) into a temp folder, accepting every syntax it knows (+xa)
/// unless told otherwise. It has no bind option and listens on all interfaces; our traffic goes to 127.0.0.1.</summary>
public sealed class StoreScpProcess : IAsyncDisposable
{
    public const string AeTitle = "STORESCP";

    private readonly Process _process;

    private StoreScpProcess(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }
    public string Folder { get; }

    public static async Task<StoreScpProcess> StartAsync(params string[] syntaxOptions)
    {
        var port = FreePort.Next();
        var folder = Directory.CreateTempSubdirectory("cl2-storescp-").FullName;
        var start = new ProcessStartInfo("storescp") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. (syntaxOptions.Length == 0 ? ["+xa"] : syntaxOptions), "+B", "-aet", AeTitle, "-od", folder, port.ToString()])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in Dcmtk.Environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start storescp");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
        return new StoreScpProcess(process, port, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
