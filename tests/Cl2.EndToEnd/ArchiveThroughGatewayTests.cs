using System.Net;
using System.Text;
using System.Text.Json;

namespace Cl2.EndToEnd;

/// <summary>The DICOMweb archive as a viewer reaches it: through a real gateway process in front of a real labeling process.</summary>
public sealed class ArchiveThroughGatewayTests
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    [Fact]
    public async Task archive_links_point_at_the_gateway_whatever_host_the_client_sends()
    {
        await using var platform = await ArchivePlatform.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using var stow = await StowAsync(http, platform.GatewayUrl, [await File.ReadAllBytesAsync(Path.Combine(Corpus, "CT_small.dcm"))]);
        using var search = new HttpRequestMessage(HttpMethod.Get, platform.GatewayUrl + "/dicomweb/studies");
        search.Headers.Host = "evil.example";
        using var found = await http.SendAsync(search);
        var studies = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var retrieveUrl = studies[0].GetProperty("00081190").GetProperty("Value")[0].GetString()!;
        Assert.StartsWith(platform.GatewayUrl + "/dicomweb/studies/", retrieveUrl, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(retrieveUrl + "/metadata"))).StatusCode);
    }

    [Fact]
    public async Task a_stow_with_many_failed_parts_comes_through_the_gateway_with_its_failed_sop_sequence()
    {
        await using var platform = await ArchivePlatform.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        // The probe's 1,500 failed parts made 1,500 Warning headers, over the gateway's 64 KiB header limit: a 502.
        using var stow = await StowAsync(http, platform.GatewayUrl, Enumerable.Range(0, 1500).Select(i => Encoding.ASCII.GetBytes($"not DICOM {i}")).ToArray());

        Assert.Equal(HttpStatusCode.Conflict, stow.StatusCode);
        Assert.Single(stow.Headers.GetValues("Warning"));
        var failed = JsonDocument.Parse(await stow.Content.ReadAsStringAsync()).RootElement.GetProperty("00081198").GetProperty("Value");
        Assert.Equal(1500, failed.GetArrayLength());
    }

    /// <summary>PostgreSQL, labeling (development identity: STOW-RS needs ml-engineer or service) and a gateway in front of it.</summary>
    private sealed class ArchivePlatform : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _parts = [];
        private readonly string _state = Directory.CreateTempSubdirectory("cl2-e2e-archive-").FullName;

        public string GatewayUrl { get; private set; } = "";

        public static async Task<ArchivePlatform> StartAsync()
        {
            var platform = new ArchivePlatform();
            try
            {
                var postgres = await PostgresCluster.CreateAsync();
                platform._parts.Add(postgres);
                var launcher = new PlatformLauncher(platform._state, postgres.ConnectionString);
                platform.GatewayUrl = launcher.GatewayUrl.TrimEnd('/');
                var labelingUrl = launcher.LabelingUrl;
                // Callers through the gateway are the header identity's default developer (the gateway strips any X-Cl2-* sent).
                var labeling = await launcher.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
                {
                    ["Blobs__Root"] = Path.Combine(platform._state, "blobs"),
                    ["Archive__SpoolPath"] = Path.Combine(platform._state, "spool"),
                });
                platform._parts.Add(labeling);
                var gateway = await launcher.StartAsync(PlatformLauncher.Gateway, new Dictionary<string, string>
                {
                    ["ReverseProxy__Clusters__inference__Destinations__inference__Address"] = "http://127.0.0.1:1/",
                });
                platform._parts.Add(gateway);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                BackgroundProcess[] services = [labeling, gateway];
                await Eventually.IsTrueAsync(async () => await AnswersAsync(http, labelingUrl + "health/ready"), services, "labeling ready");
                await Eventually.IsTrueAsync(async () => await AnswersAsync(http, platform.GatewayUrl + "/health/live"), services, "gateway live");
                return platform;
            }
            catch
            {
                await platform.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            // Services first, then the database they use, then their files.
            foreach (var part in Enumerable.Reverse(_parts))
            {
                await part.DisposeAsync();
            }
            Directory.Delete(_state, recursive: true);
        }
    }

    private static async Task<bool> AnswersAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>STOW-RS of the given parts, framed by hand (this project references no cl2 library).</summary>
    private static async Task<HttpResponseMessage> StowAsync(HttpClient http, string gatewayUrl, IReadOnlyList<byte[]> parts)
    {
        const string boundary = "cl2-e2e-boundary";
        using var body = new MemoryStream();
        foreach (var part in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(part);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={boundary}");
        return await http.PostAsync(new Uri(gatewayUrl + "/dicomweb/studies"), content);
    }
}
