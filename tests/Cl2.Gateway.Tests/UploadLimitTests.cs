using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Gateway.Tests;

public sealed class UploadLimitTests
{
    [Theory]
    [InlineData("/blobs")]
    [InlineData("/dicomweb/studies")]
    public async Task a_backends_early_413_for_an_upload_reaches_the_client_as_413(string path)
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address);
        var address = gateway.StartOnKestrel();
        // The probe sent 5 GiB; 256 MiB (a sparse file) is as far over the backend's limit, and curl streams it as sent.
        var upload = Path.GetTempFileName();
        try
        {
            await using (var file = File.OpenWrite(upload))
            {
                file.SetLength(256L << 20);
            }

            // "Expect:" (empty) stops curl from asking for 100-continue itself: the probe's client did not.
            var curl = await ProcessRunner.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T", upload,
                "-H", "Expect:", "-H", "Content-Type: application/octet-stream", new Uri(address, path).ToString()], TimeSpan.FromMinutes(2));

            Assert.Equal("413", curl.Output.Trim());
            Assert.Contains($"POST {path}", labeling.Requests);
        }
        finally
        {
            File.Delete(upload);
        }
    }

    [Theory]
    [InlineData("/blobs", "blobs")]
    [InlineData("/dicomweb/studies", "dicomweb")]
    public async Task a_chunked_upload_past_its_routes_limit_is_answered_413_naming_the_limit(string path, string route)
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var inference = await RecordingBackend.StartAsync("inference");
        await using var gateway = new GatewayHost(labeling.Address, inference.Address,
            new Dictionary<string, string> { [$"ReverseProxy:Routes:{route}:MaxRequestBodySize"] = "1048576" });
        var address = gateway.StartOnKestrel();
        var upload = Path.GetTempFileName();
        var answer = Path.GetTempFileName();
        try
        {
            await using (var file = File.OpenWrite(upload))
            {
                file.SetLength(16L << 20);
            }

            // No Content-Length: curl sends the file in chunks, so the limit is found only by counting the bytes as they pass.
            var curl = await ProcessRunner.RunAsync("curl", ["-sS", "-o", answer, "-w", "%{http_code}", "-X", "POST", "-T", upload,
                "-H", "Transfer-Encoding: chunked", "-H", "Expect:", "-H", "Content-Type: application/octet-stream",
                new Uri(address, path).ToString()], TimeSpan.FromMinutes(2));

            Assert.Equal("413", curl.Output.Trim());
            Assert.Contains($"past the 1048576 bytes route '{route}' accepts (ReverseProxy:Routes:{route}:MaxRequestBodySize)",
                await File.ReadAllTextAsync(answer), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(upload);
            File.Delete(answer);
        }
    }

    /// <summary>Labeling's own limits (Archive:MaxStowBytes 8 GiB, Blobs:MaxBlobBytes 4 GiB) refuse a chunked upload in the
    /// middle of it and close the connection under the proxy (502); the gateway must count and refuse first.</summary>
    [Theory]
    [InlineData("dicomweb", 8L << 30)]
    [InlineData("blobs", 4L << 30)]
    public async Task the_upload_routes_ship_with_labelings_limits_so_the_gateway_refuses_a_chunked_upload_first(string route, long labelingLimit)
    {
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var gateway = new GatewayHost(labeling.Address, labeling.Address);
        using var _ = gateway.CreateClient();

        var configured = gateway.Services.GetRequiredService<IConfiguration>().GetValue<long>($"ReverseProxy:Routes:{route}:MaxRequestBodySize");

        Assert.Equal(labelingLimit, configured);
    }
}
