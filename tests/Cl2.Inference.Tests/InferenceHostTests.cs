using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Inference.Tests;

public sealed class InferenceHostTests
{
    private sealed class InferenceHost(string storage) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Inference:StoragePath", storage);
            builder.UseSetting("Inference:Listener:Port", "0");
            // Nothing listens here: the host must still start and say that labeling is missing.
            builder.UseSetting("Labeling:BaseAddress", $"http://127.0.0.1:{FreePort.Next()}/");
            // The status test calls as an admin by the development identity headers.
            foreach (var (key, value) in PlatformLauncher.HeaderIdentity)
            {
                builder.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), value);
            }
        }
    }

    [Fact]
    public async Task inference_is_live_but_not_ready_while_labeling_does_not_answer_and_says_so()
    {
        var storage = Directory.CreateTempSubdirectory("cl2-inference-").FullName;
        await using var host = new InferenceHost(storage);
        using var client = host.CreateClient();

        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Healthy", report.EnumerateArray().Single(check => check.GetProperty("name").GetString() == "storage").GetProperty("status").GetString());
        Assert.Contains("labeling does not answer", report.EnumerateArray().Single(check => check.GetProperty("name").GetString() == "labeling").GetProperty("description").GetString(), StringComparison.Ordinal);
        Directory.Delete(storage, recursive: true);
    }

    [Fact]
    public async Task the_status_endpoint_reports_where_instances_are_stored_to_an_admin()
    {
        var storage = Directory.CreateTempSubdirectory("cl2-inference-").FullName;
        await using var host = new InferenceHost(storage);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Cl2-User", "ops");
        client.DefaultRequestHeaders.Add("X-Cl2-Roles", "admin");

        var status = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/inference/status", UriKind.Relative))).RootElement;

        Assert.Equal(storage, status.GetProperty("storage").GetString());
        Directory.Delete(storage, recursive: true);
    }
}
