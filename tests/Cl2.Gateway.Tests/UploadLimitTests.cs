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
}
