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
        var platform = new PlatformLauncher(state, postgres.ConnectionString);

        // Each with the environment ./cl2 up gives it (the launcher asks the script), only the training device pinned.
        await using var labeling = await platform.StartAsync(PlatformLauncher.Labeling);
        await using var inference = await platform.StartAsync(PlatformLauncher.Inference);
        await using var training = await platform.StartAsync(PlatformLauncher.Training, new Dictionary<string, string> { ["Training__Device"] = "cpu" });
        await using var gateway = await platform.StartAsync(PlatformLauncher.Gateway);
        BackgroundProcess[] services = [labeling, inference, training, gateway];
        // Generous: a first request to a service on a busy machine can take a while (answered by then, it is not refused).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        foreach (var url in new[] { platform.LabelingUrl, platform.InferenceUrl, platform.GatewayUrl })
        {
            await Eventually.IsTrueAsync(async () => (await TryGetStatusAsync(http, url + "health/ready")) == HttpStatusCode.OK, services, $"{url} ready");
        }
        await Eventually.IsTrueAsync(() => Task.FromResult(File.Exists(platform.TrainingHealthFile) && File.ReadLines(platform.TrainingHealthFile).First() == "Healthy"), services, "training worker healthy");

        // Sign-in is on: nobody gets in without a token; the seeded admin's token (generated password, as ./cl2 token uses it) does.
        using (var anonymous = await http.GetAsync(new Uri(platform.GatewayUrl + "api/inference/status")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        var token = await platform.UserTokenAsync("admin");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(platform.GatewayUrl + "api/inference/status"));
        request.Headers.Authorization = new("Bearer", token);
        using var answer = await http.SendAsync(request);
        var status = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("cl2 inference", status.GetProperty("service").GetString());
        Assert.Contains("\"cpu (", File.ReadAllText(platform.TrainingHealthFile), StringComparison.Ordinal);
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
