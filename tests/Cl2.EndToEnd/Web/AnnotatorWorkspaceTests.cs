using System.Text.Json.Nodes;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// The annotator workspace on the real platform: a synthetic liver CT (<c>./cl2 synth</c>) stored by STOW-RS, a dataset
/// holding it, and an annotator who takes the next case in the browser, sees it rendered, paints and saves.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class AnnotatorWorkspaceTests(SignedInPlatform platform)
{
    [Fact]
    public async Task an_annotator_paints_the_next_case_and_the_saved_revision_holds_the_painted_voxels_on_the_series_grid()
    {
        WebApp.RequireBuilt();
        var (datasetId, labelsHeader) = await DatasetOfOneSyntheticCtAsync();
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
        var slices = expected["shape"]![0]!.GetValue<int>();
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
        var before = await WebApp.NonBlackPixelsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Brush" }).ClickAsync();
        await WebApp.StrokeAcrossTheMiddleAsync(page);
        await Chromium.ScreenshotAsync(page, "annotate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save label" }).ClickAsync();
        var saved = await page.WaitForSelectorAsync("[data-testid=saved]");
        var revisionId = await saved!.GetAttributeAsync("data-label-revision-id");

        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator,
            "query($id: ID!) { labelRevision(id: $id) { revision kind submittedBy blobDigest case { studyInstanceUid currentRevision } } }", new { id = revisionId });
        Assert.Null(error);
        var revision = data.GetProperty("labelRevision");
        var (header, voxels) = await WebApp.ReadMaskAsync(annotator, revision.GetProperty("blobDigest").GetString()!);

        Assert.True(before > 1000, $"the viewport showed {before} non-black pixels: the image did not render");
        Assert.Equal(1, revision.GetProperty("revision").GetInt32());
        Assert.Equal("SEGMENTATION", revision.GetProperty("kind").GetString());
        Assert.Equal("annotator", revision.GetProperty("submittedBy").GetString());
        Assert.Equal(1, revision.GetProperty("case").GetProperty("currentRevision").GetInt32());
        foreach (var key in new[] { "shape", "orientation", "referencedSeriesInstanceUids", "frameOfReferenceUid" })
        {
            Assert.Equal(expected[key]!.ToJsonString(), header[key]!.ToJsonString());
        }
        foreach (var key in new[] { "spacing", "origin" })
        {
            Assert.All(expected[key]!.AsArray().Zip(header[key]!.AsArray()), pair => Assert.Equal(pair.First!.GetValue<double>(), pair.Second!.GetValue<double>(), 3));
        }
        var (rows, columns) = (expected["shape"]![1]!.GetValue<int>(), expected["shape"]![2]!.GetValue<int>());
        var painted = Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != 0).ToList();
        Assert.True(painted.Count >= 5, $"only {painted.Count} voxels were painted");
        Assert.All(painted, index => Assert.Equal(1, voxels[index]));
        // The viewer opens on the middle slice, so every painted voxel lies on it, and the stroke crossed the image's
        // middle from left to right.
        Assert.All(painted, index => Assert.Equal(slices / 2, index / (rows * columns)));
        Assert.Contains(painted, index => Math.Abs(index % (rows * columns) / columns - rows / 2) <= 2);
        Assert.True(painted.Select(index => index % columns).Distinct().Count() >= 3, "the stroke painted fewer than 3 columns");
    }

    [Fact]
    public async Task a_brush_click_saved_at_once_with_ctrl_s_is_in_the_saved_revision()
    {
        WebApp.RequireBuilt();
        var (datasetId, labelsHeader) = await DatasetOfOneSyntheticCtAsync();
        var shape = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!["shape"]!.AsArray().Select(size => size!.GetValue<int>()).ToArray();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]", new() { Timeout = 120_000 });
        await page.WaitForSelectorAsync(".toolbar.labels [data-tool=brush]:not([disabled])", new() { Timeout = 120_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Brush" }).ClickAsync();

        // A third of the way across and down, not the middle: synth's slices have an even number of rows and columns, so
        // the middle is a corner of four voxels, farther from each voxel's centre than the brush's radius reaches.
        var canvas = (await page.Locator(WebApp.ViewportCanvas).First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(canvas.X + (canvas.Width / 3), canvas.Y + (canvas.Height / 3));
        await page.Mouse.DownAsync();
        await page.Mouse.UpAsync();
        // Within the 400 ms Cornerstone holds a click to see whether a second one follows: before the page handed the
        // click over, Save read the labelmap before the dab was painted.
        await page.Keyboard.PressAsync("Control+s");
        var saved = await page.WaitForSelectorAsync("[data-testid=saved]", new() { Timeout = 120_000 });

        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator, "query($id: ID!) { labelRevision(id: $id) { blobDigest } }",
            new { id = await saved!.GetAttributeAsync("data-label-revision-id") });
        Assert.Null(error);
        var (_, voxels) = await WebApp.ReadMaskAsync(annotator, data.GetProperty("labelRevision").GetProperty("blobDigest").GetString()!);
        var painted = Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != 0).ToList();
        Assert.NotEmpty(painted);
        Assert.All(painted, index => Assert.Equal(shape[0] / 2, index / (shape[1] * shape[2]))); // the slice shown
    }

    [Fact]
    public async Task the_threshold_brush_paints_only_the_pixels_inside_its_range_where_the_brush_paints_them_all()
    {
        WebApp.RequireBuilt();
        var (study, labelsHeader, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        var (slices, rows, columns) = (header["shape"]![0]!.GetValue<int>(), header["shape"]![1]!.GetValue<int>(), header["shape"]![2]!.GetValue<int>());
        var hu = HounsfieldUnitsOfSlice(seriesFolder, header, slices / 2);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
        await page.WaitForSelectorAsync(".toolbar.labels button[data-tool=threshold]:not([disabled])");
        await page.Locator(".toolbar.labels input[name=size]").FillAsync("40");
        var slice = rows * columns;

        // The plain brush's dabs say which pixels they cover; the band is the lower half of their values, so with the
        // phantom's noise (about 12 HU) some of them lie in it and some do not, wherever they fall. Dabs (clicks), not
        // a drag: a drag's mouse moves may be coalesced differently from one stroke to the next.
        await page.GetByRole(AriaRole.Button, new() { Name = "Brush", Exact = true }).ClickAsync();
        await DabAroundTheMiddleAsync(page);
        var brushed = await SaveAndReadPaintedAsync(page, expectedRevision: 1);
        var values = brushed.Select(index => hu[index % slice]).Order().ToList();
        var (low, high) = (values[0], values[(values.Count - 1) / 2]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Eraser" }).ClickAsync();
        await DabAroundTheMiddleAsync(page);
        await page.Locator(".toolbar.labels input[name=low]").FillAsync($"{low}");
        await page.Locator(".toolbar.labels input[name=high]").FillAsync($"{high}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Threshold" }).ClickAsync();
        await DabAroundTheMiddleAsync(page);
        var thresholded = await SaveAndReadPaintedAsync(page, expectedRevision: 2);

        Assert.True(brushed.Count >= 5, $"the brush painted {brushed.Count} pixels");
        Assert.All(brushed, index => Assert.Equal(slices / 2, index / slice));
        Assert.True(values[0] < values[^1], $"the dabs' {values.Count} pixels are all {values[0]} HU");
        Assert.NotEmpty(thresholded);
        Assert.All(thresholded, index => Assert.InRange(hu[index % slice], low, high));
        // Where the dabs are: each pixel it painted touches one the plain brush painted. Not the same pixels exactly: a dab
        // is about three image pixels across here, and the two tools round its edge differently (in CI a threshold dab
        // once left an in-band pixel of the brush's unpainted, and once painted an in-band pixel next to them).
        var nearDabs = brushed.SelectMany(index => Neighbourhood(index, rows, columns)).ToHashSet();
        Assert.All(thresholded, index => Assert.Contains(index, nearDabs));
        // The dabs' pixels above the band (there are some: the band ends at their median) are left unpainted.
        Assert.Contains(brushed, index => hu[index % slice] > high);
        Assert.DoesNotContain(thresholded, index => hu[index % slice] > high);
    }

    /// <summary>A voxel's index and those of its eight neighbours on the same slice.</summary>
    private static IEnumerable<int> Neighbourhood(int index, int rows, int columns)
    {
        var (slice, row, column) = (index / (rows * columns), index % (rows * columns) / columns, index % columns);
        for (var r = Math.Max(0, row - 1); r <= Math.Min(rows - 1, row + 1); r++)
        {
            for (var c = Math.Max(0, column - 1); c <= Math.Min(columns - 1, column + 1); c++)
            {
                yield return (slice * rows + r) * columns + c;
            }
        }
    }

    [Fact]
    public async Task the_scissors_fill_the_rectangle_dragged_on_the_shown_slice()
    {
        WebApp.RequireBuilt();
        var (datasetId, labelsHeader) = await DatasetOfOneSyntheticCtAsync();
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        var (slices, rows, columns) = (header["shape"]![0]!.GetValue<int>(), header["shape"]![1]!.GetValue<int>(), header["shape"]![2]!.GetValue<int>());
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
        await page.WaitForSelectorAsync(".toolbar.labels button[data-tool=scissors]:not([disabled])");

        await page.Keyboard.PressAsync("r");
        var canvas = (await page.Locator("[data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(x - 90, y - 60);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x, y, new() { Steps = 8 });
        await page.Mouse.MoveAsync(x + 90, y + 60, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        var painted = await SaveAndReadPaintedAsync(page, expectedRevision: 1);

        var slice = rows * columns;
        Assert.All(painted, index => Assert.Equal(slices / 2, index / slice));
        var (pixelRows, pixelColumns) = (painted.Select(index => index % slice / columns).ToList(), painted.Select(index => index % columns).ToList());
        var (height, width) = (pixelRows.Max() - pixelRows.Min() + 1, pixelColumns.Max() - pixelColumns.Min() + 1);
        Assert.True(height >= 2 && width >= 3, $"the rectangle filled {width}×{height} pixels");
        Assert.True(width > height, $"a drag wider than high filled {width}×{height} pixels");
        Assert.Equal(width * height, painted.Count); // filled, not outlined
    }

    [Fact]
    public async Task the_circle_scissors_fill_a_circle_around_where_the_drag_starts_on_the_shown_slice()
    {
        var (painted, grid, centre, radius) = await CutFromTheMiddleAsync("c", "circle");

        var inPlane = painted.Select(index => (Row: index % grid.Slice / grid.Columns, Column: index % grid.Columns)).ToList();
        Assert.All(painted, index => Assert.Equal(grid.Slices / 2, index / grid.Slice));
        Assert.Contains(((int)centre.Row, (int)centre.Column), inPlane);
        // Within the circle (a pixel's centre at most its radius from the drag's start, give or take a pixel's rounding)…
        Assert.All(inPlane, pixel => Assert.InRange(Math.Sqrt(Math.Pow(pixel.Row + 0.5 - centre.Row, 2) + Math.Pow(pixel.Column + 0.5 - centre.Column, 2)), 0, radius + 1.5));
        // …and filled: at least half the disc's pixels, not its outline.
        Assert.True(painted.Count >= Math.PI * radius * radius / 2, $"a circle of radius {radius:F1} pixels filled {painted.Count}");
    }

    [Fact]
    public async Task the_sphere_scissors_fill_a_ball_around_where_the_drag_starts_over_the_slices_it_reaches()
    {
        var (painted, grid, centre, radius) = await CutFromTheMiddleAsync("s", "sphere");

        // Millimetres from the drag's start (on the shown slice's plane) to each painted voxel's centre.
        var distance = (int index) => Math.Sqrt(Math.Pow((index / grid.Slice - (grid.Slices / 2)) * grid.Spacing[0], 2)
            + Math.Pow((index % grid.Slice / grid.Columns + 0.5 - centre.Row) * grid.Spacing[1], 2)
            + Math.Pow((index % grid.Columns + 0.5 - centre.Column) * grid.Spacing[2], 2));
        var radiusMm = radius * grid.Spacing[1];
        Assert.Contains((grid.Slices / 2 * grid.Slice) + ((int)centre.Row * grid.Columns) + (int)centre.Column, painted);
        Assert.True(painted.Select(index => index / grid.Slice).Distinct().Count() > 1,
            $"a sphere of radius {radiusMm:F1} mm filled slices {string.Join(", ", painted.Select(index => index / grid.Slice).Distinct())} of {grid.Spacing[0]} mm spacing");
        Assert.All(painted, index => Assert.InRange(distance(index), 0, radiusMm + (1.5 * grid.Spacing.Max())));
    }

    /// <summary>
    /// Takes the next case of a new dataset, chooses the scissors by <paramref name="key"/> and drags from the canvas'
    /// middle (the image's centre: it fills the viewport's height) 90 pixels to the right, in steps; saves, and answers
    /// the painted voxels, the grid, the drag's start and its length in image pixels (rows and columns, continuous).
    /// </summary>
    private async Task<(List<int> Painted, (int Slices, int Columns, int Slice, double[] Spacing) Grid, (double Row, double Column) Centre, double Radius)> CutFromTheMiddleAsync(
        string key, string tool)
    {
        WebApp.RequireBuilt();
        var (datasetId, labelsHeader) = await DatasetOfOneSyntheticCtAsync();
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        var (slices, rows, columns) = (header["shape"]![0]!.GetValue<int>(), header["shape"]![1]!.GetValue<int>(), header["shape"]![2]!.GetValue<int>());
        var spacing = header["spacing"]!.AsArray().Select(value => value!.GetValue<double>()).ToArray();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']", new() { Timeout = 180_000 });
        await page.WaitForSelectorAsync($".toolbar.labels button[data-tool={tool}]:not([disabled])", new() { Timeout = 180_000 });

        await page.Keyboard.PressAsync(key);
        await page.WaitForSelectorAsync($".toolbar.labels button[data-tool={tool}][aria-pressed=true]");
        var canvas = (await page.Locator("[data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        var (x, y, reach) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2, 90f);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x + reach / 2, y, new() { Steps = 8 });
        await page.Mouse.MoveAsync(x + reach, y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        var painted = await SaveAndReadPaintedAsync(page, expectedRevision: 1);

        // The image fills the canvas' shorter side (Cornerstone fits it), with its centre at the canvas' centre.
        var pixelsPerImagePixel = Math.Min(canvas.Width / columns, canvas.Height / rows);
        return (painted, (slices, columns, rows * columns, spacing), (rows / 2.0, columns / 2.0), reach / pixelsPerImagePixel);
    }

    [Fact]
    public async Task an_annotator_starts_from_the_models_segmentation_saves_it_as_the_label_and_undo_takes_it_back()
    {
        WebApp.RequireBuilt();
        var (study, labelsHeader, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var written = await ReviewedSegmentation.WriteAsync(labelsHeader, seriesFolder, "liver-ct 1");
        await WebApp.StoreAsync(platform, [written.Segmentation, written.Report]);
        var (_, versionId) = await WebApp.RegisterModelVersionAsync(platform);
        await WebApp.RecordInferenceResultAsync(platform, study, versionId, failure: null, [written.SegmentationUid, written.ReportUid]);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{header["shape"]![0]!.GetValue<int>()}']");
        var offered = await page.GetByTestId("prediction").TextContentAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Start from its prediction" }).ClickAsync();
        var started = await page.Locator(".workspace .message").TextContentAsync();
        var fromPrediction = await SaveAndReadAsync(page, expectedRevision: 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        var afterUndo = await SaveAndReadAsync(page, expectedRevision: 2);

        Assert.Matches(@"^liver-\w+ v1 \(candidate\) segmented this study", offered?.Trim());
        Assert.Contains($"Started from the prediction of liver-", started, StringComparison.Ordinal);
        // The segmentation was made of synth's own labels; with no labels defined on the dataset, the label takes the
        // segmentation's names and numbers, so the saved voxels are synth's.
        Assert.Equal(header["labelNames"]!.AsObject().Where(name => name.Key != "0").ToDictionary(name => name.Key, name => name.Value!.GetValue<string>()),
            fromPrediction.Header["labelNames"]!.AsObject().ToDictionary(name => name.Key, name => name.Value!.GetValue<string>()));
        Assert.Equal(written.Labels, fromPrediction.Voxels);
        Assert.Contains(fromPrediction.Voxels, voxel => voxel != 0);
        Assert.All(afterUndo.Voxels, voxel => Assert.Equal(0, voxel));
    }

    /// <summary>Clicks (a dab of the tool in use) on a grid of 3 × 7 points 12 pixels apart around the viewport's centre.</summary>
    private static async Task DabAroundTheMiddleAsync(IPage page)
    {
        var canvas = (await page.Locator("[data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        for (var row = -1; row <= 1; row++)
        {
            for (var column = -3; column <= 3; column++)
            {
                await page.Mouse.ClickAsync(x + (12 * column), y + (12 * row));
            }
        }
    }

    /// <summary>Saves the label, waits for the revision and answers its blob's header and voxels.</summary>
    private Task<(JsonNode Header, byte[] Voxels)> SaveAndReadAsync(IPage page, int expectedRevision) =>
        WebApp.SaveLabelAndReadAsync(page, platform, expectedRevision);

    /// <summary>Saves the label, waits for the revision and answers the indices of its non-zero voxels.</summary>
    private async Task<List<int>> SaveAndReadPaintedAsync(IPage page, int expectedRevision)
    {
        var (_, voxels) = await SaveAndReadAsync(page, expectedRevision);
        return Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != 0).ToList();
    }

    /// <summary>
    /// The Hounsfield units of the label volume's slice <paramref name="index"/> (rows then columns), read from the file
    /// that lies <paramref name="index"/> slice spacings from the volume's origin along its normal.
    /// </summary>
    private static int[] HounsfieldUnitsOfSlice(string seriesFolder, JsonNode header, int index)
    {
        var origin = header["origin"]!.AsArray().Select(value => value!.GetValue<double>()).ToArray();
        var orientation = header["orientation"]!.AsArray().Select(value => value!.GetValue<double>()).ToArray();
        var normal = new[]
        {
            (orientation[1] * orientation[5]) - (orientation[2] * orientation[4]),
            (orientation[2] * orientation[3]) - (orientation[0] * orientation[5]),
            (orientation[0] * orientation[4]) - (orientation[1] * orientation[3]),
        };
        var spacing = header["spacing"]![0]!.GetValue<double>();
        var file = Directory.GetFiles(seriesFolder, "*.dcm").Select(path => DicomFile.Open(path)).Single(candidate =>
        {
            var position = candidate.Dataset.GetValues<double>(DicomTags.ImagePositionPatient);
            var along = Enumerable.Range(0, 3).Sum(axis => (position[axis] - origin[axis]) * normal[axis]) / spacing;
            return Math.Abs(along - index) < 0.01;
        });
        Assert.Equal(16, file.Dataset.GetValue<int>(DicomTags.BitsAllocated));
        Assert.Equal(0, file.Dataset.GetValue<int>(DicomTags.PixelRepresentation));
        var (slope, intercept) = (file.Dataset.GetValue<double>(DicomTags.RescaleSlope), file.Dataset.GetValue<double>(DicomTags.RescaleIntercept));
        var bytes = ((DicomValueElement)file.Dataset.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray();
        return Enumerable.Range(0, bytes.Length / 2)
            .Select(pixel => (int)Math.Round((BitConverter.ToUInt16(bytes, pixel * 2) * slope) + intercept)).ToArray();
    }

    [Fact]
    public async Task keys_pressed_while_the_annotator_switches_series_do_not_reach_the_previous_series_labelmap()
    {
        WebApp.RequireBuilt();
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        await WebApp.StoreAsync(platform, SagittalReformat.Of(seriesFolder, seriesNumber: 3));
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
        var brush = page.Locator(".toolbar.labels [data-tool=brush]");
        await page.WaitForSelectorAsync(".toolbar.labels [data-tool=brush]:not([disabled])", new() { Timeout = 120_000 });

        // The second series' metadata is held back by the browser's router, so the switch is surely under way (the first
        // viewer closed, the next not yet open) while the keys are pressed.
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/dicomweb/studies/*/series/*/metadata", async route =>
        {
            requested.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });
        try
        {
            await page.Locator("nav.series button").Nth(1).ClickAsync();
            await requested.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await page.Keyboard.PressAsync("b");
            await page.Keyboard.PressAsync("Control+z");
            Assert.NotEqual("true", await brush.GetAttributeAsync("aria-pressed"));
            Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Save label" }).IsDisabledAsync(),
                "the save button stayed enabled while the series was switched");
        }
        finally
        {
            release.TrySetResult();
        }
        await page.WaitForSelectorAsync(".toolbar.labels [data-tool=brush]:not([disabled])", new() { Timeout = 120_000 });
        await page.Keyboard.PressAsync("b");
        Assert.Equal("true", await brush.GetAttributeAsync("aria-pressed"));
    }

    /// <summary>A dataset holding one synthetic liver CT, made by an ML engineer.</summary>
    private async Task<(string DatasetId, string LabelsHeader)> DatasetOfOneSyntheticCtAsync()
    {
        var (study, labelsHeader) = await WebApp.StoreSyntheticCtAsync(platform);
        return (await WebApp.DatasetHoldingAsync(platform, study), labelsHeader);
    }
}
