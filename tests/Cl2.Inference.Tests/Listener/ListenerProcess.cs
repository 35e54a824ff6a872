using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;

namespace Cl2.Inference.Tests.Listener;

/// <summary>The built Cl2.Inference as its own process (as ./cl2 up runs it), listening on a given port over a given
/// store; disposing it kills it with SIGKILL. Labeling is pointed at nothing: the listener must not need it.</summary>
internal static class ListenerProcess
{
    public static async Task<BackgroundProcess> StartAsync(string storage, int port, TimeSpan readyWithin)
    {
        var assembly = BuiltAssembly();
        var process = BackgroundProcess.Start("Cl2.Inference", "dotnet", [assembly], new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Urls"] = "http://127.0.0.1:0",
            ["Inference__StoragePath"] = storage,
            ["Inference__Listener__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Labeling__BaseAddress"] = $"http://127.0.0.1:{FreePort.Next()}/",
        }, Path.GetDirectoryName(assembly));
        var deadline = DateTime.UtcNow + readyWithin;
        while (true)
        {
            try
            {
                if ((await EchoScu.EchoAsync("127.0.0.1", port, new DicomClientOptions { CallingAeTitle = "PROBE", CalledAeTitle = "CL2" }, CancellationToken.None)).IsSuccess)
                {
                    return process;
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Cl2.Dicom.Network.DicomNetworkException && DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            if (process.HasExited || DateTime.UtcNow >= deadline)
            {
                await process.DisposeAsync();
                throw new InvalidOperationException($"Cl2.Inference did not answer C-ECHO on port {port} within {readyWithin}:\n{process.Output}");
            }
        }
    }

    /// <summary>The service's build output next to this test assembly's (same configuration).</summary>
    private static string BuiltAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "cl2.sln")))
        {
            folder = folder.Parent;
        }
        var path = Path.Combine(folder?.FullName ?? throw new InvalidOperationException("cl2.sln not found above " + AppContext.BaseDirectory),
            "inference", "Cl2.Inference", "bin", configuration, "net10.0", "Cl2.Inference.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Cl2.Inference is not built (expected {path}); run ./cl2 test", path);
    }
}
