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
    /// <summary>JavaScript: how many pixels of the canvas a selector names are not black (0 while it has no size).</summary>
    private const string LitPixels = """
        selector => {
          const canvas = document.querySelector(selector);
          if (!canvas || canvas.width === 0) return 0;
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let lit = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 30) lit++;
          return lit;
        }
        """;

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
        var stored = await StoreSyntheticStudyAsync(platform, "liver-ct");
        return (stored.Study, stored.LabelsHeader, stored.SeriesFolders["CT"]);
    }

    /// <summary>
    /// A one-case cohort of <paramref name="task"/> from <c>./cl2 synth</c> (32 voxels a side, a new seed each time), every
    /// series stored into the archive by an ML engineer; the study, the label header and each series' folder by its name
    /// (brain-mri: T1, T1c, T2, FLAIR).
    /// </summary>
    public static async Task<(string Study, string LabelsHeader, IReadOnlyDictionary<string, string> SeriesFolders)> StoreSyntheticStudyAsync(
        SignedInPlatform platform, string task)
    {
        var cohort = Directory.CreateTempSubdirectory("cl2-web-cohort-").FullName;
        (await ProcessRunner.RunAsync(Repository.Script, ["synth", "--task", task, "--out", cohort, "--cases", "1", "--size", "32",
            "--seed", $"{Random.Shared.Next(1, 100_000)}"], TimeSpan.FromMinutes(5))).EnsureSuccess("./cl2 synth");
        var item = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]![0]!;
        var folders = item["series"]!.AsObject().ToDictionary(series => series.Key, series => Path.Combine(cohort, series.Value!.GetValue<string>()));
        var files = folders.Values.SelectMany(folder => Directory.GetFiles(folder, "*.dcm"));
        await StoreAsync(platform, await Task.WhenAll(files.Select(file => File.ReadAllBytesAsync(file))));
        return (item["studyInstanceUid"]!.GetValue<string>(), Path.Combine(cohort, item["labels"]!.GetValue<string>()), folders);
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

    /// <summary>Another version of <paramref name="modelId"/> on the same artifact as <paramref name="baseVersionId"/>, trained from it; its id.</summary>
    public static async Task<string> RegisterNextVersionAsync(SignedInPlatform platform, string modelId, string baseVersionId, double dice, string codeVersion)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (artifact, _) = await SignedInPlatform.GraphQLAsync(engineer, "query($id: ID!) { modelVersion(id: $id) { artifactDigest } }", new { id = baseVersionId });
        var (version, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new
            {
                input = new
                {
                    modelId, artifactDigest = artifact.GetProperty("modelVersion").GetProperty("artifactDigest").GetString(),
                    metrics = new[] { new { name = "dice", value = dice } }, dataDigest = "sha256:" + new string('1', 64), codeVersion, baseVersionId,
                },
            });
        Assert.Null(error);
        return version.GetProperty("registerModelVersion").GetProperty("id").GetString()!;
    }

    /// <summary>A new dataset holding <paramref name="studies"/> (added in that order), made by an ML engineer; its id.</summary>
    public static async Task<string> DatasetHoldingAsync(SignedInPlatform platform, params string[] studies)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (dataset, error) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($name: String!) { createDataset(input: { name: $name }) { id } }",
            new { name = $"web {Guid.NewGuid():N}" });
        Assert.Null(error);
        var datasetId = dataset.GetProperty("createDataset").GetProperty("id").GetString()!;
        var (_, addError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = studies } });
        Assert.Null(addError);
        return datasetId;
    }

    /// <summary>Defines the kind of label a dataset's cases get and the labels' names, as an ML engineer.</summary>
    public static async Task DefineDatasetLabelsAsync(SignedInPlatform platform, string datasetId, string kind, params object[] labels)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (_, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: DefineDatasetLabelsInput!) { defineDatasetLabels(input: $input) { id } }", new { input = new { datasetId, kind, labels } });
        Assert.Null(error);
    }

    /// <summary>JavaScript: how many pixels of the viewport's canvas are in colour (a labelmap segment), not grey (the image).</summary>
    private const string ColouredPixels = """
        (selector) => {
          const canvas = document.querySelector(selector ?? '[data-testid=viewport] canvas');
          if (!canvas || canvas.width === 0) return 0;
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let coloured = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 40) coloured++;
          }
          return coloured;
        }
        """;

    /// <summary>Pixels of the viewport's canvas in colour (a labelmap segment drawn over a grey image).</summary>
    public static Task<int> ColouredPixelsAsync(IPage page) => page.EvaluateAsync<int>(ColouredPixels);

    /// <summary>Waits until a canvas (by its selector) shows more than <paramref name="pixels"/> coloured pixels.</summary>
    public static Task WaitForColouredPixelsAsync(IPage page, string canvas, int pixels) =>
        page.WaitForFunctionAsync($"([selector, pixels]) => ({ColouredPixels})(selector) > pixels", new object[] { canvas, pixels }, new() { Timeout = 120_000 });

    /// <summary>Waits until the viewport's canvas shows more than <paramref name="pixels"/> coloured pixels (a render lands a frame later).</summary>
    public static Task WaitForColouredPixelsAsync(IPage page, int pixels) =>
        page.WaitForFunctionAsync($"pixels => ({ColouredPixels})() > pixels", pixels, new() { Timeout = 120_000 });

    /// <summary>Pixels of a canvas (by default the viewport's, on which Cornerstone draws the image) that are not black.</summary>
    public static Task<int> NonBlackPixelsAsync(IPage page, string canvas = "[data-testid=viewport] canvas") => page.EvaluateAsync<int>(LitPixels, canvas);

    /// <summary>Waits until a canvas shows more than <paramref name="pixels"/> non-black pixels (a render lands a frame later).</summary>
    public static Task WaitForNonBlackPixelsAsync(IPage page, string canvas, int pixels = 1000) =>
        page.WaitForFunctionAsync($"([selector, pixels]) => ({LitPixels})(selector) > pixels", new object[] { canvas, pixels });

    /// <summary>A left-button stroke across the middle of the viewport, 40 pixels either side of its centre.</summary>
    public static async Task StrokeAcrossTheMiddleAsync(IPage page)
    {
        var canvas = (await page.Locator("[data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(x - 40, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x, y, new() { Steps = 8 });
        await page.Mouse.MoveAsync(x + 40, y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    /// <summary>An access token for a service client (<c>inference</c>, <c>training</c>) from the gateway's provider.</summary>
    public static async Task<string> ClientTokenAsync(SignedInPlatform platform, string client)
    {
        using var http = new HttpClient { BaseAddress = platform.Gateway, Timeout = TimeSpan.FromMinutes(1) };
        using var response = await http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client, ["client_secret"] = platform.Launcher.Secret("clients", client), ["scope"] = "cl2",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// Records an inference result as inference does (its client's token): a model version's result writing
    /// <paramref name="resultUids"/> (by default one made-up object), or with <paramref name="failure"/> and no version a
    /// pass-through outcome; the result's id.
    /// </summary>
    public static async Task<string> RecordInferenceResultAsync(SignedInPlatform platform, string study, string? versionId, string? failure, string[]? resultUids = null)
    {
        using var inference = platform.Client(await WebApp.ClientTokenAsync(platform, "inference"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new
            {
                input = new
                {
                    studyInstanceUid = study, modelVersionId = versionId, pipeline = versionId is null ? "pass-through" : "liver-ct",
                    resultUids = resultUids ?? (versionId is null ? [] : [$"{study}.1"]), durationMs = 12.5, failure,
                    failureReason = failure is null ? null : "CT ABDOMEN matched none of the rules",
                },
            });
        Assert.Null(error);
        return data.GetProperty("recordInferenceResult").GetProperty("id").GetString()!;
    }

    /// <summary>Records that the DICOM listener received <paramref name="study"/>, as inference does (its client's token).</summary>
    public static async Task RecordStudyReceivedAsync(SignedInPlatform platform, string study, string callingAeTitle, int instanceCount)
    {
        using var inference = platform.Client(await ClientTokenAsync(platform, "inference"));
        var (_, error) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordStudyReceivedInput!) { recordStudyReceived(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, callingAeTitle, instanceCount } });
        Assert.Null(error);
    }
}
