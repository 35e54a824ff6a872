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
        var environment = new Dictionary<string, string>(PlatformLauncher.Production)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Inference__StoragePath"] = storage,
            ["Inference__Listener__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Production serves listed peers only: every AE title on this machine, as the tests' tools name themselves.
            ["Inference__Listener__Peers__0__AeTitle"] = "*",
            ["Inference__Listener__Peers__0__Hosts__0"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        // Labeling's URL is one of the platform's free ports, where nothing listens.
        var process = await new PlatformLauncher(storage).StartAsync(PlatformLauncher.Inference, environment);
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
}
