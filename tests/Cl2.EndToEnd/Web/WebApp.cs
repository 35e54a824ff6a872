using System.Formats.Tar;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>What the browser tests do on the web app: check it is built, sign in through the gateway's page, call GraphQL
/// from the page as the app does (the session cookie, no token).</summary>
public static class WebApp
{
    public static string Dist => Path.Combine(Repository.Root, "web", "dist");

    public static void RequireBuilt() => Assert.True(File.Exists(Path.Combine(Dist, "index.html")),
        $"The web app is not built ({Dist}/index.html is missing): ./cl2 test builds it, or cd web && npm ci && npm run build");

    /// <summary>Opens <paramref name="path"/>, follows the app's sign-in link and signs in on the provider's page.</summary>
    public static async Task<IPage> SignInAsync(Chromium chromium, SignedInPlatform platform, string user, string path = "")
    {
        var page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(new Uri(platform.Gateway, path).ToString());
        await page.WaitForSelectorAsync("body[data-ready=signed-out]");
        await page.Locator("#who").GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", platform.Launcher.Secret("users", user));
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    /// <summary>A GraphQL request made by the page itself (same origin, its cookies), answered as JSON.</summary>
    public static async Task<JsonElement> GraphQLFromPageAsync(IPage page, string query) =>
        JsonDocument.Parse(await page.EvaluateAsync<string>("""
            async query => {
              const response = await fetch('/graphql', { method: 'POST', credentials: 'same-origin',
                headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query }) });
              return await response.text();
            }
            """, query)).RootElement.Clone();

    /// <summary>
    /// A one-case liver CT cohort from <c>./cl2 synth</c> (a new seed each time), stored into the archive by an ML engineer
    /// (STOW-RS through the gateway); its Study Instance UID and the path of the label header synth wrote on its grid.
    /// </summary>
    public static async Task<(string Study, string LabelsHeader)> StoreSyntheticCtAsync(SignedInPlatform platform)
    {
        var stored = await StoreSyntheticCtSeriesAsync(platform);
        return (stored.Study, stored.LabelsHeader);
    }

    /// <summary>As <see cref="StoreSyntheticCtAsync"/>, with the folder of the CT series' files synth wrote.</summary>
    public static async Task<(string Study, string LabelsHeader, string SeriesFolder)> StoreSyntheticCtSeriesAsync(SignedInPlatform platform)
    {
        var cohort = Directory.CreateTempSubdirectory("cl2-web-cohort-").FullName;
        (await ProcessRunner.RunAsync(Repository.Script, ["synth", "--task", "liver-ct", "--out", cohort, "--cases", "1", "--size", "32",
            "--seed", $"{Random.Shared.Next(1, 100_000)}"], TimeSpan.FromMinutes(5))).EnsureSuccess("./cl2 synth");
        var item = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]![0]!;
        var series = Path.Combine(cohort, item["series"]!["CT"]!.GetValue<string>());
        await StoreAsync(platform, await Task.WhenAll(Directory.GetFiles(series, "*.dcm").Select(file => File.ReadAllBytesAsync(file))));
        return (item["studyInstanceUid"]!.GetValue<string>(), Path.Combine(cohort, item["labels"]!.GetValue<string>()), series);
    }

    /// <summary>Stores DICOM Part 10 files into the archive as an ML engineer (STOW-RS through the gateway).</summary>
    public static async Task StoreAsync(SignedInPlatform platform, IEnumerable<byte[]> files)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        using var content = new MultipartContent("related", "cl2-web-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var file in files)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        using var stored = await engineer.PostAsync(new Uri("dicomweb/studies", UriKind.Relative), content);
        Assert.True(stored.IsSuccessStatusCode, $"STOW answered {(int)stored.StatusCode}: {await stored.Content.ReadAsStringAsync()}");
    }

    /// <summary>The mask tar of a label revision: its labels.json and labels.u8.</summary>
    public static async Task<(JsonNode Header, byte[] Voxels)> ReadMaskAsync(HttpClient http, string digest)
    {
        await using var archive = await http.GetStreamAsync(new Uri($"blobs/{digest}", UriKind.Relative));
        var files = new Dictionary<string, byte[]>();
        await using var reader = new TarReader(archive);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            using var copy = new MemoryStream();
            await entry.DataStream!.CopyToAsync(copy);
            files[entry.Name] = copy.ToArray();
        }
        var header = JsonNode.Parse(files["labels.json"])!;
        return (header, files[header["dataFile"]!.GetValue<string>()]);
    }

    /// <summary>A model with one version, registered by an ML engineer on an uploaded (stand-in) artifact.</summary>
    public static async Task<(string ModelId, string VersionId)> RegisterModelVersionAsync(SignedInPlatform platform)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        using var upload = await engineer.PostAsync("blobs", new ByteArrayContent(Guid.NewGuid().ToByteArray()));
        var digest = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("digest").GetString();
        var (model, modelError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }",
            new { name = $"liver-{Guid.NewGuid():N}" });
        Assert.Null(modelError);
        var (version, versionError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new
            {
                input = new
                {
                    modelId = model.GetProperty("registerModel").GetProperty("id").GetString(), artifactDigest = digest,
                    metrics = new[] { new { name = "dice", value = 0.87 } }, dataDigest = "sha256:" + new string('0', 64), codeVersion = "web test",
                },
            });
        Assert.Null(versionError);
        return (model.GetProperty("registerModel").GetProperty("id").GetString()!, version.GetProperty("registerModelVersion").GetProperty("id").GetString()!);
    }

    /// <summary>A new dataset holding <paramref name="study"/>, made by an ML engineer; its id.</summary>
    public static async Task<string> DatasetHoldingAsync(SignedInPlatform platform, string study)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (dataset, error) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($name: String!) { createDataset(input: { name: $name }) { id } }",
            new { name = $"web {Guid.NewGuid():N}" });
        Assert.Null(error);
        var datasetId = dataset.GetProperty("createDataset").GetProperty("id").GetString()!;
        var (_, addError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { study } } });
        Assert.Null(addError);
        return datasetId;
    }
}
