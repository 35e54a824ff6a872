using System.Text.Json.Nodes;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.EndToEnd.Identity;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// A label over several series: a brain-MRI dataset whose labels name its input channels (T1, T1c, T2, FLAIR), a
/// synthetic brain MRI (<c>./cl2 synth</c>) stored by STOW-RS, and an annotator who assigns the series the workspace could
/// not tell apart, paints on two of the four sequences side by side and saves one label that training reads.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class MultiSeriesLabelTests(SignedInPlatform platform)
{
    internal static readonly string[] Channels = ["T1", "T1c", "T2", "FLAIR"];

    [Fact]
    public async Task a_label_painted_on_two_sequences_of_a_brain_mri_references_the_four_series_in_channel_order_and_is_one_training_reads()
    {
        WebApp.RequireBuilt();
        var (study, _, folders) = await WebApp.StoreSyntheticStudyAsync(platform, "brain-mri");
        var seriesUids = Channels.Select(channel => SeriesUidOf(folders[channel])).ToList();
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await DefineBrainLabelsAsync(datasetId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        var console = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) => { if (message.Type is "error" or "warning") console.Enqueue(message.Text); };

        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        // "AX T2 FLAIR" is FLAIR's and "AX T2 FSE" then T2's; T1 would fit "AX T1 SE" and "AX T1 SE +C", so the annotator says.
        await page.GetByText("Choose the series of T1, T1c.").WaitForAsync(new() { Timeout = 120_000 });
        var matched = (await SelectedSeriesAsync(page, "T2"), await SelectedSeriesAsync(page, "FLAIR"));
        await page.Locator("select[data-channel='T1']").SelectOptionAsync(seriesUids[0]);
        await page.Locator("select[data-channel='T1c']").SelectOptionAsync(seriesUids[1]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show these series" }).ClickAsync();
        foreach (var channel in Channels)
        {
            await page.WaitForSelectorAsync($"figure[data-channel='{channel}'] .viewer-host[data-tools=ready]", new() { Timeout = 120_000 });
        }
        var captions = await page.Locator(".side-by-side figcaption").AllTextContentsAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Brush" }).ClickAsync(); // waits until the tools are set up
        await page.GetByLabel("Segment").SelectOptionAsync(new SelectOptionValue { Label = "enhancing tumour" });
        await page.GetByLabel("Size").PressAsync("End"); // the largest brush
        var shownSlice = await ShownSliceAsync(page, "T1c");
        await StrokeInViewportAsync(page, "T1c", -1);
        await StrokeInViewportAsync(page, "FLAIR", +1);
        await Chromium.ScreenshotAsync(page, "annotate-channels");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save label" }).ClickAsync();
        var saved = await page.WaitForSelectorAsync("[data-testid=saved]", new() { Timeout = 120_000 });
        var savedText = await saved!.TextContentAsync();
        var revisionId = await saved!.GetAttributeAsync("data-label-revision-id");
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator, "query($id: ID!) { labelRevision(id: $id) { kind blobDigest } }", new { id = revisionId });
        Assert.Null(error);
        var digest = data.GetProperty("labelRevision").GetProperty("blobDigest").GetString()!;
        var (header, voxels) = await WebApp.ReadMaskAsync(annotator, digest);

        Assert.Equal((seriesUids[2], seriesUids[3]), matched);
        Assert.Equal(["T1: AX T1 SE", "T1c: AX T1 SE +C", "T2: AX T2 FSE", "FLAIR: AX T2 FLAIR"], captions.Select(caption => caption.Trim()));
        Assert.Equal(seriesUids, header["referencedSeriesInstanceUids"]!.AsArray().Select(uid => uid!.GetValue<string>()));
        // The two strokes, left of the middle on T1c and right of it on FLAIR, are both in the label, on the slice shown.
        var (slices, rows, columns) = (header["shape"]![0]!.GetValue<int>(), header["shape"]![1]!.GetValue<int>(), header["shape"]![2]!.GetValue<int>());
        var painted = Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != 0).ToList();
        Assert.True(painted.Count > 0, $"nothing painted; the page said: {savedText}; console: {string.Join(" | ", console)}");
        Assert.All(painted, index => Assert.Equal(4, voxels[index]));
        Assert.All(painted, index => Assert.Equal(shownSlice, index / (rows * columns)));
        Assert.Contains(painted, index => index % columns < columns / 2);
        Assert.Contains(painted, index => index % columns >= columns / 2);
        Assert.Equal(slices * rows * columns, voxels.Length);
        await AssertTrainingReadsAsync(annotator, study, digest, painted.Count);
    }

    [Fact]
    public async Task a_brush_click_without_moving_in_a_side_by_side_viewport_paints_a_dab_in_the_label()
    {
        WebApp.RequireBuilt();
        var (study, _, folders) = await WebApp.StoreSyntheticStudyAsync(platform, "brain-mri");
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await DefineBrainLabelsAsync(datasetId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.GetByText("Choose the series of T1, T1c.").WaitForAsync(new() { Timeout = 120_000 });
        await page.Locator("select[data-channel='T1']").SelectOptionAsync(SeriesUidOf(folders["T1"]));
        await page.Locator("select[data-channel='T1c']").SelectOptionAsync(SeriesUidOf(folders["T1c"]));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show these series" }).ClickAsync();
        foreach (var channel in Channels)
        {
            await page.WaitForSelectorAsync($"figure[data-channel='{channel}'] .viewer-host[data-tools=ready]", new() { Timeout = 120_000 });
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Brush" }).ClickAsync();
        var shownSlice = await ShownSliceAsync(page, "T2");

        var viewport = page.Locator("figure[data-channel='T2'] [data-testid=viewport] canvas").First;
        var canvas = (await viewport.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(canvas.X + (canvas.Width / 2), canvas.Y + (canvas.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.UpAsync();
        // Save at once, within the 400 ms Cornerstone holds a click waiting for a second one (a press elsewhere made it
        // drop the click before the page handed it over): the dab is saved, and shows on every channel's viewport (the
        // labelmaps are linked).
        await page.GetByRole(AriaRole.Button, new() { Name = "Save label" }).ClickAsync();
        var saved = await page.WaitForSelectorAsync("[data-testid=saved]", new() { Timeout = 120_000 });
        foreach (var channel in Channels)
        {
            await WebApp.WaitForColouredPixelsAsync(page, 10, $"figure[data-channel='{channel}'] [data-testid=viewport] canvas");
        }
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator, "query($id: ID!) { labelRevision(id: $id) { blobDigest } }",
            new { id = await saved!.GetAttributeAsync("data-label-revision-id") });
        Assert.Null(error);
        var (header, voxels) = await WebApp.ReadMaskAsync(annotator, data.GetProperty("labelRevision").GetProperty("blobDigest").GetString()!);

        var sliceSize = header["shape"]![1]!.GetValue<int>() * header["shape"]![2]!.GetValue<int>();
        var painted = Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != 0).ToList();
        Assert.NotEmpty(painted);
        Assert.All(painted, index => Assert.Equal(shownSlice, index / sliceSize));
    }

    internal static string SeriesUidOf(string folder) =>
        DicomFile.Open(Directory.GetFiles(folder, "*.dcm")[0]).Dataset.GetString(DicomTags.SeriesInstanceUID)!;

    /// <summary>
    /// What training asks of a dataset's segmentation label before it trains on it (Cl2.Training's ArchiveDataset): the mask
    /// archive read, one series per input channel of the brain-mri workload, each retrieved with WADO-RS and assembled,
    /// the mask on every one's grid (<see cref="MaskGeometry.RequireOnEvery"/>), and the task's tensors made from them.
    /// </summary>
    private static async Task AssertTrainingReadsAsync(HttpClient http, string study, string digest, int painted)
    {
        var workload = WorkloadRegistry.Get("brain-mri");
        using var blob = new MemoryStream(await http.GetByteArrayAsync(new Uri($"blobs/{digest}", UriKind.Relative)));
        var (header, labels) = MaskArchive.Read(blob, $"label blob {digest}");
        using var dicomweb = new HttpClient { BaseAddress = new Uri(http.BaseAddress!, "dicomweb/"), Timeout = TimeSpan.FromMinutes(3) };
        dicomweb.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
        var archive = new DicomWebClient(dicomweb);
        var series = new List<LoadedSeries>();
        foreach (var seriesUid in header.ReferencedSeriesInstanceUids)
        {
            var files = new List<DicomFile>();
            await foreach (var part in archive.RetrieveAsync(study, seriesUid))
            {
                files.Add(DicomFile.Open(new MemoryStream(part)));
            }
            series.Add(DicomSeriesLoader.Load(files));
        }

        Assert.Equal(workload.Channels.Count, header.ReferencedSeriesInstanceUids.Count);
        MaskGeometry.RequireOnEvery(header, series);
        var (input, target) = TaskTensors.Segmentation(workload, series, labels);
        using (input)
        using (target)
        {
            Assert.Equal(new long[] { 4, header.Shape[0], header.Shape[1], header.Shape[2] }, input.shape);
            Assert.Equal(painted, target.count_nonzero().item<long>());
        }
    }

    private Task DefineBrainLabelsAsync(string datasetId) => DefineBrainLabelsAsync(platform, datasetId);

    /// <summary>The brain-MRI dataset's segmentation labels (BraTS' values) over its four input channels, as an ML engineer.</summary>
    internal static async Task DefineBrainLabelsAsync(SignedInPlatform platform, string datasetId)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (_, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: DefineDatasetLabelsInput!) { defineDatasetLabels(input: $input) { id } }", new
            {
                input = new
                {
                    datasetId, kind = "SEGMENTATION", channels = Channels,
                    labels = new object[] { new { name = "necrotic core", value = 1 }, new { name = "oedema", value = 2 }, new { name = "enhancing tumour", value = 4 } },
                },
            });
        Assert.Null(error);
    }

    private static Task<string> SelectedSeriesAsync(IPage page, string channel) => page.Locator($"select[data-channel='{channel}']").InputValueAsync();

    /// <summary>The index of the slice a channel's viewport shows (its counter says "Slice k / n").</summary>
    private static async Task<int> ShownSliceAsync(IPage page, string channel)
    {
        var counter = await page.Locator($"figure[data-channel='{channel}'] .viewer-status span").TextContentAsync();
        return int.Parse(counter!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) - 1;
    }

    /// <summary>
    /// A short horizontal brush stroke with explicit start and end, centred a quarter of the image's width left (-1) or
    /// right (+1) of the viewport's centre, so it stays on that side of the middle column.
    /// </summary>
    private static async Task StrokeInViewportAsync(IPage page, string channel, int side)
    {
        var viewport = page.Locator($"figure[data-channel='{channel}'] [data-testid=viewport] canvas").First;
        await viewport.ScrollIntoViewIfNeededAsync();
        var canvas = (await viewport.BoundingBoxAsync())!;
        // The square image is fitted into the canvas: its width on screen is the canvas' smaller side.
        var x = canvas.X + canvas.Width / 2 + side * Math.Min(canvas.Width, canvas.Height) / 4;
        var y = canvas.Y + canvas.Height / 2;
        await page.Mouse.MoveAsync((float)(x - 20), (float)y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(x + 20), (float)y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }
}
