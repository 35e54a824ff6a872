using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;

namespace Cl2.Inference.Tests.Listener;

/// <summary>The built Cl2.Inference as its own process (as ./cl2 up runs it), listening on a given port over a given
/// store; disposing it kills it with SIGKILL. Labeling is pointed at nothing: the listener must not need it.</summary>
internal static class ListenerProcess
{
    /// <param name="settings">More environment variables, or ones replacing the defaults (Urls, Labeling__BaseAddress …).</param>
    public static async Task<BackgroundProcess> StartAsync(string storage, int port, TimeSpan readyWithin, IReadOnlyDictionary<string, string>? settings = null)
    {
        var assembly = BuiltAssembly("inference", "Cl2.Inference");
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Urls"] = "http://127.0.0.1:0",
            ["Inference__StoragePath"] = storage,
            ["Inference__Listener__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Labeling__BaseAddress"] = $"http://127.0.0.1:{FreePort.Next()}/",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var process = BackgroundProcess.Start("Cl2.Inference", "dotnet", [assembly], environment, Path.GetDirectoryName(assembly));
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

    /// <summary>A service's build output (<paramref name="folder"/>/<paramref name="project"/>) next to this test assembly's (same configuration).</summary>
    public static string BuiltAssembly(string folder, string project)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "cl2.sln")))
        {
            root = root.Parent;
        }
        var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("cl2.sln not found above " + AppContext.BaseDirectory),
            folder, project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built (expected {path}); run ./cl2 test", path);
    }
}
