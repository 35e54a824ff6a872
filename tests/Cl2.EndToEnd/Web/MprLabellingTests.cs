using System.Globalization;
using System.Text.Json.Nodes;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// Labelling in the annotator workspace's MPR layout (axial, sagittal and coronal views of one series) on the real
/// platform: a synthetic liver CT, a dataset holding it, and an annotator who paints in one view, sees the stroke in the
/// others and in the stack, and saves the one labelmap in the mask format training reads.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class MprLabellingTests(SignedInPlatform platform)
{
    private static string Canvas(string view) => $"[data-testid=mpr-{view}] canvas";

    [Fact]
    public async Task a_stroke_on_the_sagittal_view_shows_on_the_axial_view_and_is_saved_at_the_voxels_the_sagittal_plane_crosses()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var (page, grid) = await OpenInMprAsync(chromium, key: null);
        var opened = await page.Locator("[data-testid=mpr-sagittal]").GetAttributeAsync("data-slice");
        await WheelOverAsync(page, Canvas("sagittal"), notches: 4);
        await page.WaitForFunctionAsync("opened => document.querySelector('[data-testid=mpr-sagittal]').dataset.slice !== opened", opened);
        var axialBefore = await WebApp.ColouredPixelsAsync(page, Canvas("axial"));

        // A stroke from the sagittal view's middle 80 pixels down: from the slice the axial view shows towards the feet.
        await page.Keyboard.PressAsync("b");
        await page.WaitForSelectorAsync(".toolbar.labels button[data-tool=brush][aria-pressed=true]");
        var canvas = (await page.Locator(Canvas("sagittal")).First.BoundingBoxAsync())!;
        var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x, y + 40, new() { Steps = 8 });
        await page.Mouse.MoveAsync(x, y + 80, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await WebApp.WaitForColouredPixelsAsync(page, 0, Canvas("axial"));
        await Chromium.ScreenshotAsync(page, "annotate-mpr");
        var sagittal = grid.VoxelAt(await FocalPointAsync(page, "sagittal"));
        var axial = grid.VoxelAt(await FocalPointAsync(page, "axial"));
        var painted = (await SaveAndReadAsync(page, expectedRevision: 1)).Select(grid.VoxelOf).ToList();

        Assert.Equal(0, axialBefore);
        // The sagittal plane was scrolled off the volume's middle, so a mirrored column would miss it.
        Assert.NotEqual(grid.Columns / 2, sagittal.Column);
        Assert.NotEqual(grid.Columns / 2 - 1, sagittal.Column);
        Assert.True(painted.Count >= 5, $"only {painted.Count} voxels were painted");
        // Every painted voxel lies on the column the sagittal plane passes through…
        Assert.All(painted, voxel => Assert.Equal(sagittal.Column, voxel.Column));
        // …around the row its centre is on (the views open centred on the volume, between two voxels of an even count:
        // either is its nearest), from the axial view's slice down (slice 0 is the feet end: the series' normal points to
        // the head), over several slices: a stroke mirrored along the slices would run up from it.
        Assert.All(painted, voxel => Assert.InRange(voxel.Row, sagittal.Row - 2, sagittal.Row + 2));
        Assert.Contains(painted, voxel => Math.Abs(voxel.Slice - axial.Slice) <= 1 && Math.Abs(voxel.Row - sagittal.Row) <= 1);
        Assert.All(painted, voxel => Assert.InRange(voxel.Slice, 0, axial.Slice + 2));
        Assert.True(painted.Min(voxel => voxel.Slice) <= axial.Slice - 3, $"the stroke reached slices {painted.Min(v => v.Slice)} to {painted.Max(v => v.Slice)}");
    }

    [Fact]
    public async Task a_stroke_in_mpr_shows_in_the_stack_on_its_slice_and_undo_in_mpr_takes_it_back()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var (page, grid) = await OpenInMprAsync(chromium, key: "m");
        var opened = await page.Locator("[data-testid=mpr-axial]").GetAttributeAsync("data-slice");
        await WheelOverAsync(page, Canvas("axial"), notches: 3);
        await page.WaitForFunctionAsync("opened => document.querySelector('[data-testid=mpr-axial]').dataset.slice !== opened", opened);
        var axial = grid.VoxelAt(await FocalPointAsync(page, "axial"));

        await page.Keyboard.PressAsync("b");
        await page.WaitForSelectorAsync(".toolbar.labels button[data-tool=brush][aria-pressed=true]");
        await WebApp.StrokeAcrossTheMiddleAsync(page, Canvas("axial"));
        await page.Keyboard.PressAsync("m");
        await page.WaitForSelectorAsync(".viewer-host:not([hidden])");
        await WebApp.WaitForColouredPixelsAsync(page, 0);
        var shown = await page.Locator(".viewer-host").GetByText(new System.Text.RegularExpressions.Regex(@"^Slice \d+ / \d+$")).TextContentAsync();
        var painted = (await SaveAndReadAsync(page, expectedRevision: 1)).Select(grid.VoxelOf).ToList();

        await page.Keyboard.PressAsync("m");
        await page.WaitForSelectorAsync(".mpr-host:not([hidden])");
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await WebApp.WaitForNoColouredPixelsAsync(page, Canvas("axial"));
        var afterUndo = await SaveAndReadAsync(page, expectedRevision: 2);

        Assert.NotEqual(grid.Slices / 2, axial.Slice);
        Assert.True(painted.Count >= 5, $"only {painted.Count} voxels were painted");
        Assert.All(painted, voxel => Assert.Equal(axial.Slice, voxel.Slice));
        Assert.Equal($"Slice {axial.Slice + 1} / {grid.Slices}", shown);
        Assert.True(painted.Select(voxel => voxel.Column).Distinct().Count() >= 3, "the stroke painted fewer than 3 columns");
        Assert.Empty(afterUndo);
    }

    [Fact]
    public async Task switching_from_stack_to_mpr_shows_the_stacks_slice_in_the_axial_view_each_time()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var (page, grid) = await OpenCaseAsync(chromium);
        var opened = await StackSliceAsync(page);
        await WheelOverAsync(page, WebApp.ViewportCanvas, notches: 4);
        await page.WaitForFunctionAsync($"opened => !document.querySelector('.viewer-host').textContent.includes(`Slice ${{opened}} /`)", opened);
        var scrolled = await SettledStackSliceAsync(page);

        await SwitchToMprAsync(page, key: null);
        var axialFirst = grid.VoxelAt(await FocalPointAsync(page, "axial"));
        var sagittalFirst = grid.VoxelAt(await FocalPointAsync(page, "sagittal"));
        var coronalFirst = grid.VoxelAt(await FocalPointAsync(page, "coronal"));
        // Back to the stack, three slices on, and to MPR again: the axial view follows; the other planes stay.
        await page.Keyboard.PressAsync("m");
        await page.WaitForSelectorAsync(".viewer-host:not([hidden])");
        await WheelOverAsync(page, WebApp.ViewportCanvas, notches: 3);
        await page.WaitForFunctionAsync($"scrolled => !document.querySelector('.viewer-host').textContent.includes(`Slice ${{scrolled}} /`)", scrolled);
        var scrolledAgain = await SettledStackSliceAsync(page);
        var axialSlice = await page.Locator("[data-testid=mpr-axial]").GetAttributeAsync("data-slice");
        await page.Keyboard.PressAsync("m");
        await page.WaitForSelectorAsync(".mpr-host:not([hidden])");
        await page.WaitForFunctionAsync("slice => document.querySelector('[data-testid=mpr-axial]').dataset.slice !== slice", axialSlice);
        var axialAgain = grid.VoxelAt(await FocalPointAsync(page, "axial"));

        Assert.NotEqual(grid.Slices / 2 + 1, scrolled); // not the slice the views open on anyway
        Assert.Equal(scrolled - 1, axialFirst.Slice);
        // The sagittal and coronal planes cross that slice through its middle (of an even count, either voxel is nearest).
        Assert.InRange(sagittalFirst.Column, grid.Columns / 2 - 1, grid.Columns / 2);
        Assert.InRange(coronalFirst.Row, grid.Rows / 2 - 1, grid.Rows / 2);
        Assert.NotEqual(scrolled, scrolledAgain);
        Assert.Equal(scrolledAgain - 1, axialAgain.Slice);
    }

    /// <summary>
    /// Takes the next case of a new dataset of one synthetic CT, waits for its stack and tools, and switches to MPR (by the
    /// key, or the button when <paramref name="key"/> is null); answers the page and the series' grid.
    /// </summary>
    private async Task<(IPage Page, LabelGrid Grid)> OpenInMprAsync(Chromium chromium, string? key)
    {
        var (page, grid) = await OpenCaseAsync(chromium);
        await SwitchToMprAsync(page, key);
        return (page, grid);
    }

    /// <summary>Takes the next case of a new dataset of one synthetic CT and waits for its stack and tools.</summary>
    private async Task<(IPage Page, LabelGrid Grid)> OpenCaseAsync(Chromium chromium)
    {
        WebApp.RequireBuilt();
        var (study, labelsHeader) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        var grid = LabelGrid.Of(JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!);
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{grid.Slices}']", new() { Timeout = 120_000 });
        await page.WaitForSelectorAsync(".toolbar.labels button[data-tool=brush]:not([disabled])", new() { Timeout = 120_000 });
        return (page, grid);
    }

    /// <summary>Switches the workspace to MPR (by the key, or the button when <paramref name="key"/> is null) and waits for its views.</summary>
    private static async Task SwitchToMprAsync(IPage page, string? key)
    {
        if (key is null)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "MPR", Exact = true }).ClickAsync();
        }
        else
        {
            await page.Keyboard.PressAsync(key);
        }
        await page.WaitForSelectorAsync(".mpr-host[data-labelmap=shown][data-rendered=true]", new() { Timeout = 120_000 });
        Assert.Equal("true", await page.GetByRole(AriaRole.Button, new() { Name = "MPR", Exact = true }).GetAttributeAsync("aria-pressed"));
    }

    /// <summary>The stack's slice number, k of its "Slice k / n" counter.</summary>
    private static async Task<int> StackSliceAsync(IPage page) => SliceOf(
        await page.Locator(".viewer-host").GetByText(new System.Text.RegularExpressions.Regex(@"^Slice \d+ / \d+$")).TextContentAsync());

    /// <summary>The stack's slice number once two more frames have passed, so a scroll on its way has shown itself.</summary>
    private static async Task<int> SettledStackSliceAsync(IPage page)
    {
        await page.EvaluateAsync("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))");
        return await StackSliceAsync(page);
    }

    private static int SliceOf(string? counter) => int.Parse(counter!.Split(' ')[1], CultureInfo.InvariantCulture);

    /// <summary>The point (mm) an MPR view is centred on, as its viewport says.</summary>
    private static async Task<double[]> FocalPointAsync(IPage page, string view) =>
        (await page.Locator($"[data-testid=mpr-{view}]").GetAttributeAsync("data-focal-point"))!
            .Split(',').Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Turns the mouse wheel over the middle of a canvas (one notch: one slice).</summary>
    private static async Task WheelOverAsync(IPage page, string selector, int notches)
    {
        var canvas = (await page.Locator(selector).First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        for (var notch = 0; notch < notches; notch++)
        {
            await page.Mouse.WheelAsync(0, 120);
        }
    }

    /// <summary>Saves the label, waits for the revision and answers the indices of its painted (non-zero) voxels.</summary>
    private async Task<List<int>> SaveAndReadAsync(IPage page, int expectedRevision)
    {
        var (_, voxels) = await WebApp.SaveLabelAndReadAsync(page, platform, expectedRevision);
        return Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != 0).ToList();
    }

    /// <summary>
    /// A label volume's grid as its header (labels.json, docs/training.md "Mask format") gives it: slice, row, column
    /// order; a voxel's centre at origin + column·spacing[2]·row direction + row·spacing[1]·column direction +
    /// slice·spacing[0]·normal (the cross product of the two).
    /// </summary>
    private sealed record LabelGrid(int Slices, int Rows, int Columns, double[] Spacing, double[] Origin, double[] RowDirection, double[] ColumnDirection)
    {
        public static LabelGrid Of(JsonNode header)
        {
            double[] Numbers(string key) => header[key]!.AsArray().Select(value => value!.GetValue<double>()).ToArray();
            var shape = header["shape"]!.AsArray().Select(value => value!.GetValue<int>()).ToArray();
            var orientation = Numbers("orientation");
            return new(shape[0], shape[1], shape[2], Numbers("spacing"), Numbers("origin"), orientation[..3], orientation[3..]);
        }

        private double[] Normal =>
        [
            (RowDirection[1] * ColumnDirection[2]) - (RowDirection[2] * ColumnDirection[1]),
            (RowDirection[2] * ColumnDirection[0]) - (RowDirection[0] * ColumnDirection[2]),
            (RowDirection[0] * ColumnDirection[1]) - (RowDirection[1] * ColumnDirection[0]),
        ];

        /// <summary>The voxel at an index of the mask's bytes.</summary>
        public (int Slice, int Row, int Column) VoxelOf(int index) => (index / (Rows * Columns), index % (Rows * Columns) / Columns, index % Columns);

        /// <summary>The voxel whose centre is nearest a point (mm).</summary>
        public (int Slice, int Row, int Column) VoxelAt(double[] point)
        {
            int Along(double[] direction, double spacing) =>
                (int)Math.Round(Enumerable.Range(0, 3).Sum(axis => (point[axis] - Origin[axis]) * direction[axis]) / spacing, MidpointRounding.AwayFromZero);
            return (Along(Normal, Spacing[0]), Along(ColumnDirection, Spacing[1]), Along(RowDirection, Spacing[2]));
        }
    }
}
