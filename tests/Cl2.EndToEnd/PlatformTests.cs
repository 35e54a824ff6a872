using System.Net;
using System.Text.Json;

namespace Cl2.EndToEnd;

public sealed class PlatformTests
{
    [Fact]
    public async Task all_services_become_ready_and_the_gateway_reaches_them()
    {
        var state = Directory.CreateTempSubdirectory("cl2-e2e-").FullName;
        await CheckPlatformAsync(state);
        // Only now: the services (the training worker rewrites its health file) have been stopped when CheckPlatformAsync returned.
        Directory.Delete(state, recursive: true);
    }

    private static async Task CheckPlatformAsync(string state)
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        int gatewayPort = FreePort.Next(), labelingPort = FreePort.Next(), inferencePort = FreePort.Next();
        var labelingUrl = $"http://127.0.0.1:{labelingPort}/";
        var inferenceUrl = $"http://127.0.0.1:{inferencePort}/";
        var trainingStatus = Path.Combine(state, "training.health");

        await using var labeling = ServiceProcess.Start("Cl2.Labeling", new Dictionary<string, string>
        {
            ["Urls"] = labelingUrl,
            ["Postgres__ConnectionString"] = postgres.ConnectionString,
        });
        await using var inference = ServiceProcess.Start("Cl2.Inference", new Dictionary<string, string>
        {
            ["Urls"] = inferenceUrl,
            ["Inference__StoragePath"] = Path.Combine(state, "inference"),
            // The DICOM listener's default port 11112 may be taken by ./cl2 up or another test run on this machine.
            ["Inference__Listener__Port"] = "0",
            ["Labeling__BaseAddress"] = labelingUrl,
        });
        await using var training = ServiceProcess.Start("Cl2.Training", new Dictionary<string, string>
        {
            ["Labeling__BaseAddress"] = labelingUrl,
            ["Training__Device"] = "cpu",
            ["Health__StatusFile__Path"] = trainingStatus,
        });
        await using var gateway = ServiceProcess.Start("Cl2.Gateway", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{gatewayPort}",
            ["ReverseProxy__Clusters__labeling__Destinations__labeling__Address"] = labelingUrl,
            ["ReverseProxy__Clusters__inference__Destinations__inference__Address"] = inferenceUrl,
        });
        BackgroundProcess[] services = [labeling, inference, training, gateway];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        foreach (var url in new[] { labelingUrl, inferenceUrl, $"http://127.0.0.1:{gatewayPort}/" })
        {
            await Eventually.IsTrueAsync(async () => (await TryGetStatusAsync(http, url + "health/ready")) == HttpStatusCode.OK, services, $"{url} ready");
        }
        await Eventually.IsTrueAsync(() => Task.FromResult(File.Exists(trainingStatus) && File.ReadLines(trainingStatus).First() == "Healthy"), services, "training worker healthy");

        // In Production nothing signs a caller in yet: inference itself answers that its API needs one (401, its own message).
        using var status = await http.GetAsync(new Uri($"http://127.0.0.1:{gatewayPort}/api/inference/status"));
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Contains("GET /api/inference/status needs a signed-in caller", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"cpu (", File.ReadAllText(trainingStatus), StringComparison.Ordinal);
        Assert.All(services, service => Assert.False(service.HasExited, $"{service.Name} exited:\n{service.Output}"));
    }

    private static async Task<HttpStatusCode?> TryGetStatusAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            // Not listening yet, or too busy starting to answer in time.
            return null;
        }
    }
}
