using System.Net;
using System.Text.Json;

namespace Cl2.Inference.Tests;

/// <summary>What the tests that run labeling and inference as their own processes share: starting labeling on a test's
/// folder and database, and waiting for a condition while the processes run.</summary>
internal static class PlatformProcesses
{
    /// <summary>Labeling as ./cl2 up starts it (Development: it takes callers from the X-Cl2-User / X-Cl2-Roles headers),
    /// on <paramref name="labelingUrl"/>, its blobs under <paramref name="root"/>; returned once /health/ready answers 200.</summary>
    /// <param name="settings">More environment variables for labeling.</param>
    public static async Task<BackgroundProcess> StartLabelingAsync(string root, string labelingUrl, PostgresCluster postgres, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            // Labeling takes its callers from the X-Cl2-User / X-Cl2-Roles headers inference (started so too) sends.
            ["Urls"] = labelingUrl,
            ["Blobs__Root"] = Path.Combine(root, "blobs"),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        var labeling = await new PlatformLauncher(root, postgres.ConnectionString).StartAsync(PlatformLauncher.Labeling, environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await UntilAsync(async () => (await http.GetAsync(new Uri(labelingUrl + "health/ready"))).StatusCode == HttpStatusCode.OK, "labeling ready", labeling);
        }
        catch
        {
            await labeling.DisposeAsync();
            throw;
        }
        return labeling;
    }

    /// <summary>Polls <paramref name="condition"/> for up to two minutes; fails with the processes' output when one exits or time runs out.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, params BackgroundProcess[] processes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException or JsonException or InvalidOperationException)
            {
                // Not answering yet, or not with that yet.
            }
            if (processes.FirstOrDefault(process => process.HasExited) is { } exited)
            {
                Assert.Fail($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}:\n" + string.Join("\n", processes.Select(process => $"--- {process.Name}\n{process.Output}")));
            }
            await Task.Delay(200);
        }
    }
}
