using System.Globalization;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>The study viewer (<c>/viewer?study=…</c>), the page <c>./cl2 bench viewer</c> times, on the real platform.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class StudyViewerTests(SignedInPlatform platform)
{
    [Fact]
    public async Task the_viewer_draws_a_ct_series_with_the_performance_marks_the_viewer_benchmark_reads()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium);

        var lit = await WebApp.NonBlackPixelsAsync(page);
        var marks = await page.EvaluateAsync<double[]>("() => ['cl2:first-image', 'cl2:all-loaded'].map(name => performance.getEntriesByName(name).length)");
        await Chromium.ScreenshotAsync(page, "viewer");

        Assert.True(lit > 1000, $"the viewport showed {lit} non-black pixels: the image did not render");
        Assert.Equal([1, 1], marks);
    }

    [Fact]
    public async Task the_first_image_mark_is_set_when_the_viewport_shows_the_image()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        // What the viewport shows at the moment the page marks its first image (a render of the empty viewport, before the
        // image was set, once set this mark): the first image's preview, laid over Cornerstone's canvas, when it came first.
        await chromium.Context.AddInitScriptAsync("""
            const mark = performance.mark.bind(performance);
            performance.mark = (name, options) => {
              if (name === 'cl2:first-image') {
                const canvas = document.querySelector('[data-testid=viewport] canvas.first-image-preview')
                  ?? document.querySelector('[data-testid=viewport] canvas');
                const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
                let lit = 0;
                for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 30) lit++;
                window.cl2LitAtFirstImage = lit;
              }
              return mark(name, options);
            };
            """);
        var page = await OpenSyntheticCtAsync(chromium);

        var lit = await page.EvaluateAsync<int?>("() => window.cl2LitAtFirstImage ?? null");

        Assert.NotNull(lit);
        Assert.True(lit > 100, $"the viewport showed {lit} non-black pixels when the first image was marked");
    }

    [Fact]
    public async Task each_wheel_notch_scrolls_the_stack_one_slice_whether_its_tools_have_loaded_yet_or_not()
    {
        WebApp.RequireBuilt();
        var (study, _, _) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        await using var chromium = await Chromium.LaunchAsync();
        // The tools' chunk (web/src/viewer/tools.ts, built as assets/tools-<hash>.js) is held back until the first notches
        // are counted, so they are surely turned before the tools arrive.
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await chromium.Context.RouteAsync("**/assets/tools-*.js", async route =>
        {
            requested.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });
        try
        {
            var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}");
            await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
            await requested.Task.WaitAsync(TimeSpan.FromSeconds(120)); // asked for once the first image was drawn
            var opened = SliceOf(await page.Locator(".viewer-status span").TextContentAsync());

            await WheelOverAsync(page, "[data-testid=viewport] canvas", notches: 3);
            await WaitForSliceAsync(page, opened + 3);
            var early = await SettledSliceAsync(page);
            var toolsBefore = await page.Locator(".viewer-host").GetAttributeAsync("data-tools");
            release.TrySetResult();
            await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]", new() { Timeout = 120_000 });
            await WheelOverAsync(page, "[data-testid=viewport] canvas", notches: 3);
            await WaitForSliceAsync(page, opened + 6);
            var late = await SettledSliceAsync(page);

            Assert.Null(toolsBefore);
            Assert.Equal(opened + 3, early);
            Assert.Equal(opened + 6, late);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task a_left_drag_windows_the_stack_once_its_tools_have_loaded()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium);
        await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]");
        var opened = await BrightnessAsync(page);

        var canvas = (await page.Locator("[data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x + canvas.Width / 4, y - canvas.Height / 4, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync($"opened => ({Brightness})() !== opened", opened);

        Assert.NotEqual(opened, await BrightnessAsync(page));
    }

    [Fact]
    public async Task the_mpr_layout_draws_the_ct_volume_in_axial_sagittal_and_coronal_viewports()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium, "&layout=mpr");

        foreach (var view in new[] { "axial", "sagittal", "coronal" })
        {
            await WebApp.WaitForNonBlackPixelsAsync(page, $"[data-testid=mpr-{view}] canvas");
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "CT bone" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "viewer-mpr");
        var lit = new Dictionary<string, int>();
        foreach (var view in new[] { "axial", "sagittal", "coronal" })
        {
            lit[view] = await WebApp.NonBlackPixelsAsync(page, $"[data-testid=mpr-{view}] canvas");
        }

        Assert.All(lit, view => Assert.True(view.Value > 100, $"the {view.Key} viewport showed {view.Value} non-black pixels in the bone window"));
    }

    [Fact]
    public async Task each_mpr_view_shows_where_the_other_two_views_planes_cut_it_as_they_scroll()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium, "&layout=mpr");
        // Lines by the view whose plane they show: 0 axial, 1 sagittal, 2 coronal.
        ILocator Line(string view, int source) => page.Locator($"[data-testid=mpr-{view}] .reference-lines line[data-source='{source}']");
        var lines = new[] { ("axial", 1), ("axial", 2), ("sagittal", 0), ("sagittal", 2), ("coronal", 0), ("coronal", 1) };
        foreach (var (view, source) in lines)
        {
            await Line(view, source).WaitForAsync(new() { State = WaitForSelectorState.Attached }); // a horizontal line has no height: Playwright calls it hidden
        }
        // Each view's lines are drawn over its own canvas: their SVG layer covers the canvas and nothing else.
        var layers = new Dictionary<string, (LocatorBoundingBoxResult Svg, LocatorBoundingBoxResult Canvas)>();
        foreach (var view in new[] { "axial", "sagittal", "coronal" })
        {
            layers[view] = ((await page.Locator($"[data-testid=mpr-{view}] svg.reference-lines").BoundingBoxAsync())!,
                (await page.Locator($"[data-testid=mpr-{view}] canvas").First.BoundingBoxAsync())!);
        }
        var opened = new Dictionary<(string, int), (double X1, double Y1, double X2, double Y2)>();
        foreach (var line in lines)
        {
            opened[line] = await LineAsync(Line(line.Item1, line.Item2));
        }

        await WheelOverAsync(page, "[data-testid=mpr-axial] canvas", notches: 3);
        // The axial plane's line moves down or up the sagittal and coronal views as the axial view scrolls.
        await page.WaitForFunctionAsync("""
            opened => { const line = document.querySelector("[data-testid=mpr-sagittal] .reference-lines line[data-source='0']");
              return line && line.getAttribute('y1') !== opened; }
            """, opened[("sagittal", 0)].Y1.ToString("F1", CultureInfo.InvariantCulture));
        var axialInSagittal = await LineAsync(Line("sagittal", 0));
        var axialInCoronal = await LineAsync(Line("coronal", 0));
        var sagittalInAxial = await LineAsync(Line("axial", 1));
        await page.GetByTestId("reference-lines").ClickAsync();
        var afterOff = await page.Locator(".reference-lines line").CountAsync();

        // Sagittal and coronal planes cut the axial view vertically and horizontally; the axial plane cuts both the others
        // horizontally, the coronal cuts the sagittal vertically and the sagittal the coronal vertically.
        Assert.All(layers, layer => Assert.True(
            new[] { layer.Value.Svg.X - layer.Value.Canvas.X, layer.Value.Svg.Y - layer.Value.Canvas.Y,
                layer.Value.Svg.Width - layer.Value.Canvas.Width, layer.Value.Svg.Height - layer.Value.Canvas.Height }.All(d => Math.Abs(d) < 1.5),
            $"the {layer.Key} view's lines are drawn at {Box(layer.Value.Svg)}, its canvas is at {Box(layer.Value.Canvas)}"));
        foreach (var ((view, source), line) in opened)
        {
            var vertical = (view, source) is ("axial", 1) or ("sagittal", 2) or ("coronal", 1);
            Assert.True(vertical ? Math.Abs(line.X1 - line.X2) < 0.2 : Math.Abs(line.Y1 - line.Y2) < 0.2,
                $"the line of view {source} in the {view} view should be {(vertical ? "vertical" : "horizontal")}: {line}");
            Assert.True(Math.Max(Math.Abs(line.X1 - line.X2), Math.Abs(line.Y1 - line.Y2)) > 50, $"the line of view {source} in the {view} view is short: {line}");
        }
        Assert.Equal(axialInSagittal.Y1, axialInSagittal.Y2, 0.2);
        Assert.True(Math.Abs(axialInSagittal.Y1 - opened[("sagittal", 0)].Y1) > 5,
            $"the axial plane's line in the sagittal view moved from y {opened[("sagittal", 0)].Y1} to {axialInSagittal.Y1} for three axial slices");
        Assert.True(Math.Abs(axialInCoronal.Y1 - opened[("coronal", 0)].Y1) > 5,
            $"the axial plane's line in the coronal view moved from y {opened[("coronal", 0)].Y1} to {axialInCoronal.Y1} for three axial slices");
        Assert.Equal(opened[("axial", 1)], sagittalInAxial); // the sagittal view did not scroll
        Assert.Equal(0, afterOff);
    }

    [Fact]
    public async Task dragging_a_reference_line_in_the_axial_view_moves_that_views_plane()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium, "&layout=mpr");
        await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]", new() { Timeout = 180_000 });
        ILocator Line(int source) => page.Locator($"[data-testid=mpr-axial] .reference-lines line[data-source='{source}']");
        await Line(1).WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Line(2).WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var canvas = (await page.Locator("[data-testid=mpr-axial] canvas").First.BoundingBoxAsync())!;
        var (sagittal, coronal) = (await LineAsync(Line(1)), await LineAsync(Line(2))); // vertical, horizontal
        var opened = await SlicesAsync(page);

        // On the sagittal plane's line a quarter of the way down it (away from the coronal line), 60 pixels to the right.
        var (x, y) = (canvas.X + (float)sagittal.X1, canvas.Y + (float)(sagittal.Y1 + ((sagittal.Y2 - sagittal.Y1) / 4)));
        await DragAsync(page, (x, y), (x + 60, y));
        await page.WaitForFunctionAsync("opened => document.querySelector('[data-testid=mpr-sagittal]').dataset.slice !== opened",
            opened["sagittal"], new() { Timeout = 60_000 });
        var afterLine = await SlicesAsync(page);
        var sagittalMoved = await LineAsync(Line(1));
        // Where the two lines cross, 40 pixels down and to the left: both planes follow.
        var (cx, cy) = (canvas.X + (float)sagittalMoved.X1, canvas.Y + (float)coronal.Y1);
        await DragAsync(page, (cx, cy), (cx - 40, cy + 40));
        await page.WaitForFunctionAsync("opened => document.querySelector('[data-testid=mpr-coronal]').dataset.slice !== opened",
            afterLine["coronal"], new() { Timeout = 60_000 });
        var afterCrossing = await SlicesAsync(page);

        Assert.NotEqual(opened["sagittal"], afterLine["sagittal"]);
        Assert.Equal((opened["axial"], opened["coronal"]), (afterLine["axial"], afterLine["coronal"]));
        Assert.True(sagittalMoved.X1 - sagittal.X1 > 20, $"the sagittal plane's line moved from x {sagittal.X1} to {sagittalMoved.X1} for a drag of 60 pixels to the right");
        Assert.NotEqual(afterLine["sagittal"], afterCrossing["sagittal"]);
        Assert.NotEqual(afterLine["coronal"], afterCrossing["coronal"]);
        Assert.Equal(opened["axial"], afterCrossing["axial"]); // a drag in the axial view never scrolls the axial view
    }

    [Fact]
    public async Task turning_a_crosshair_handle_in_the_axial_view_turns_the_other_two_planes_and_reset_puts_them_back()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium, "&layout=mpr");
        await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]", new() { Timeout = 180_000 });
        foreach (var view in new[] { "axial", "sagittal", "coronal" })
        {
            await WebApp.WaitForNonBlackPixelsAsync(page, $"[data-testid=mpr-{view}] canvas");
        }
        ILocator Line(int source) => page.Locator($"[data-testid=mpr-axial] .reference-lines line[data-source='{source}']");
        var handle = page.Locator("[data-testid=mpr-axial] .reference-lines circle.turn-handle[data-source='1']").First;
        await handle.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var canvas = (await page.Locator("[data-testid=mpr-axial] canvas").First.BoundingBoxAsync())!;
        var (sagittal, coronal) = (await LineAsync(Line(1)), await LineAsync(Line(2))); // vertical, horizontal
        var handleAt = await handle.EvaluateAsync<double[]>("circle => ['cx', 'cy'].map(name => Number(circle.getAttribute(name)))");
        foreach (var view in new[] { "axial", "sagittal", "coronal" })
        {
            await ChangedPixelsAsync(page, view); // keeps each view's pixels to compare with
        }

        // Round the crossing point by 30 degrees, in three steps, from the sagittal line's handle.
        var (cx, cy) = (canvas.X + sagittal.X1, canvas.Y + coronal.Y1);
        var (hx, hy) = (canvas.X + handleAt[0] - cx, canvas.Y + handleAt[1] - cy);
        await page.Mouse.MoveAsync((float)(cx + hx), (float)(cy + hy));
        await page.Mouse.DownAsync();
        foreach (var degrees in new[] { 10, 20, 30 })
        {
            var angle = degrees * Math.PI / 180;
            await page.Mouse.MoveAsync((float)(cx + (hx * Math.Cos(angle)) - (hy * Math.Sin(angle))), (float)(cy + (hx * Math.Sin(angle)) + (hy * Math.Cos(angle))), new() { Steps = 4 });
        }
        await page.Mouse.UpAsync();
        await page.WaitForSelectorAsync("[data-testid=mpr-sagittal][data-oblique=true]");
        await page.WaitForFunctionAsync($"() => ({ChangedPixels})('sagittal') > 0.05 && ({ChangedPixels})('coronal') > 0.05", null, new() { Timeout = 60_000 });
        var turned = await LineAsync(Line(1));
        var obliqueCaptions = await page.Locator(".mpr figcaption").AllTextContentsAsync();
        var axialChanged = await ChangedPixelsAsync(page, "axial");
        await Chromium.ScreenshotAsync(page, "viewer-mpr-oblique");

        await page.GetByRole(AriaRole.Button, new() { Name = "Reset planes" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=mpr-sagittal][data-oblique=false]");
        await page.WaitForFunctionAsync($"() => ({ChangedPixels})('sagittal') < 0.005 && ({ChangedPixels})('coronal') < 0.005", null, new() { Timeout = 60_000 });
        var reset = await LineAsync(Line(1));
        // From the keyboard: ] over the focused coronal view turns the axial and sagittal planes about its normal.
        await page.Locator("[data-testid=mpr-coronal]").FocusAsync();
        await page.Keyboard.PressAsync("]");
        await page.WaitForSelectorAsync("[data-testid=mpr-axial][data-oblique=true]");
        var keyed = await page.Locator("[data-testid^=mpr-]").EvaluateAllAsync<string[]>("views => views.map(v => v.dataset.oblique)");

        // The sagittal plane's line in the axial view is no longer vertical: it turned by about 30 degrees.
        var slope = Math.Atan2(Math.Abs(turned.X2 - turned.X1), Math.Abs(turned.Y2 - turned.Y1)) * 180 / Math.PI;
        Assert.InRange(slope, 20, 40);
        Assert.Equal(["Axial", "Sagittal (oblique)", "Coronal (oblique)"], obliqueCaptions.Select(caption => string.Join(' ', caption.Split(' ')[..^1])));
        Assert.True(axialChanged < 0.005, $"{axialChanged:P1} of the axial view's pixels changed: its own plane must not turn");
        Assert.True(Math.Abs(reset.X1 - reset.X2) < 1, $"after Reset the sagittal line runs from x {reset.X1} to {reset.X2}");
        Assert.True(Math.Abs(reset.X1 - sagittal.X1) < 1, $"after Reset the sagittal line is at x {reset.X1}, not {sagittal.X1}");
        Assert.Equal(["true", "true", "false"], keyed);
    }

    [Fact]
    public async Task switching_the_viewer_from_stack_to_mpr_and_back_keeps_the_slice()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenSyntheticCtAsync(chromium);
        await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]", new() { Timeout = 180_000 });
        var opened = SliceOf(await page.Locator(".viewer-status span").TextContentAsync());
        await WheelOverAsync(page, "[data-testid=viewport] canvas", notches: 5);
        await WaitForSliceAsync(page, opened + 5);
        var stack = await SettledSliceAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "MPR", Exact = true }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true] [data-testid=mpr-axial]", new() { Timeout = 120_000 });
        var axialSlice = await page.Locator("[data-testid=mpr-axial]").GetAttributeAsync("data-slice");
        await WheelOverAsync(page, "[data-testid=mpr-axial] canvas", notches: 2);
        await page.WaitForFunctionAsync("slice => document.querySelector('[data-testid=mpr-axial]').dataset.slice !== slice", axialSlice);
        await page.GetByRole(AriaRole.Button, new() { Name = "Stack", Exact = true }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true] [data-testid=viewport]", new() { Timeout = 120_000 });
        // Two slices from the stack's, one way or the other (the axial view may count its slices from the head).
        await page.WaitForFunctionAsync(
            "slices => slices.some(slice => (document.querySelector('.viewer-status span')?.textContent ?? '').startsWith(`Slice ${slice} /`))",
            new[] { stack - 2, stack + 2 }, new() { Timeout = 60_000 });
        var back = await SettledSliceAsync(page);

        Assert.NotEqual(opened, stack);
        Assert.Equal(2, Math.Abs(back - stack));
    }

    [Fact]
    public async Task a_brain_mri_opens_with_its_four_sequences_side_by_side()
    {
        WebApp.RequireBuilt();
        var (study, _, _) = await WebApp.StoreSyntheticStudyAsync(platform, "brain-mri");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}");

        var hosts = page.Locator(".side-by-side .viewer-host");
        for (var index = 0; index < 4; index++)
        {
            await page.WaitForSelectorAsync($".side-by-side figure:nth-child({index + 1}) .viewer-host[data-rendered=true]");
            await WebApp.WaitForNonBlackPixelsAsync(page, $".side-by-side figure:nth-child({index + 1}) [data-testid=viewport] canvas");
        }
        var captions = await page.Locator(".side-by-side figcaption").AllTextContentsAsync();
        await Chromium.ScreenshotAsync(page, "viewer-brain");

        Assert.Equal(4, await hosts.CountAsync());
        Assert.Equal(["AX T1 SE", "AX T1 SE +C", "AX T2 FSE", "AX T2 FLAIR"], captions.Select(caption => caption.Trim()));
    }

    [Fact]
    public async Task the_four_sequences_of_a_brain_mri_scroll_and_zoom_together_until_the_link_is_turned_off()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenBrainMriSideBySideAsync(chromium);
        var counters = page.Locator(".side-by-side .viewer-status span");
        var opened = await counters.AllTextContentsAsync();

        await ScrollFirstViewportAsync(page, notches: 3);
        // "Slice k / n" in all four, three slices from where they opened: every notch has been followed.
        await page.WaitForFunctionAsync("""
            opened => { const slice = text => Number(text.split(' ')[1]);
              const shown = [...document.querySelectorAll('.side-by-side .viewer-status span')].map(s => s.textContent);
              return shown.length === 4 && Math.abs(slice(shown[0]) - slice(opened)) === 3 && shown.every(text => text === shown[0]); }
            """, opened[0]);
        var together = await counters.AllTextContentsAsync();
        // A zoom (right drag) in the first viewport reaches the other three: the same zoom, each of its own image.
        await DragOverFirstViewportAsync(page, MouseButton.Right);
        await page.WaitForFunctionAsync("""
            () => { const zooms = [...document.querySelectorAll('.side-by-side [data-testid=viewport]')].map(v => v.dataset.zoom);
              return zooms.length === 4 && zooms[0] !== '1.000' && zooms.every(zoom => zoom === zooms[0]); }
            """);
        var zoomedTogether = await Zooms(page);
        // A window (left drag) in the first reaches the other three, all MR: the same range of values in each.
        var opening = await page.Locator(".side-by-side [data-testid=viewport]").First.GetAttributeAsync("data-window");
        await DragOverFirstViewportAsync(page, MouseButton.Left);
        await page.WaitForFunctionAsync("""
            opening => { const windows = [...document.querySelectorAll('.side-by-side [data-testid=viewport]')].map(v => v.dataset.window);
              return windows.length === 4 && windows[0] !== opening && windows.every(window => window === windows[0]); }
            """, opening);
        await page.GetByTestId("scroll-together").ClickAsync();
        var followed = await page.Locator(".side-by-side [data-testid=viewport]").EvaluateAllAsync<string[]>("views => views.map(v => v.dataset.followed ?? '')");
        await ScrollFirstViewportAsync(page, notches: 3);
        await page.WaitForFunctionAsync("together => document.querySelector('.side-by-side .viewer-status span').textContent !== together", together[0]);
        await DragOverFirstViewportAsync(page, MouseButton.Right);
        await page.WaitForFunctionAsync("zoom => document.querySelector('.side-by-side [data-testid=viewport]').dataset.zoom !== zoom", zoomedTogether[0]);

        Assert.Single(opened.Distinct());
        Assert.Equal("false", await page.GetByTestId("scroll-together").GetAttributeAsync("aria-pressed"));
        Assert.Equal(followed, await page.Locator(".side-by-side [data-testid=viewport]").EvaluateAllAsync<string[]>("views => views.map(v => v.dataset.followed ?? '')"));
        Assert.Equal(together.Skip(1), (await counters.AllTextContentsAsync()).Skip(1));
        Assert.Equal(zoomedTogether.Skip(1), (await Zooms(page)).Skip(1));
    }

    [Fact]
    public async Task a_pan_of_one_sequence_moves_the_other_three_only_while_they_scroll_together()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenBrainMriSideBySideAsync(chromium);
        var opened = await Pans(page);

        // A pan (middle drag) in the first viewport reaches the other three: the same shift, relative to each canvas.
        await DragOverFirstViewportAsync(page, MouseButton.Middle);
        await page.WaitForFunctionAsync("""
            opened => { const pans = [...document.querySelectorAll('.side-by-side [data-testid=viewport]')].map(v => v.dataset.pan);
              return pans.length === 4 && pans[0] !== opened && pans.every(pan => pan === pans[0]); }
            """, opened[0]);
        var pannedTogether = await Pans(page);
        await page.GetByTestId("scroll-together").ClickAsync();
        await DragOverFirstViewportAsync(page, MouseButton.Middle);
        await page.WaitForFunctionAsync("pan => document.querySelector('.side-by-side [data-testid=viewport]').dataset.pan !== pan", pannedTogether[0]);

        Assert.Single(opened.Distinct());
        Assert.Equal("false", await page.GetByTestId("scroll-together").GetAttributeAsync("aria-pressed"));
        Assert.Equal(pannedTogether.Skip(1), (await Pans(page)).Skip(1));
    }

    [Fact]
    public async Task reference_lines_show_where_the_axial_slice_cuts_the_sagittal_reformat_until_they_are_turned_off()
    {
        WebApp.RequireBuilt();
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        await WebApp.StoreAsync(platform, SagittalReformat.Of(seriesFolder, seriesNumber: 3));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}&layout=side-by-side");
        for (var index = 0; index < 2; index++)
        {
            await page.WaitForSelectorAsync($".side-by-side figure:nth-child({index + 1}) .viewer-host[data-rendered=true]");
        }
        // The axial slice (viewport 0) across the sagittal image: a horizontal line; the sagittal slice across the axial: a vertical one.
        var axialInSagittal = page.Locator(".side-by-side figure:nth-child(2) .reference-lines line[data-source='0']");
        var sagittalInAxial = page.Locator(".side-by-side figure:nth-child(1) .reference-lines line[data-source='1']");
        await axialInSagittal.WaitForAsync(new() { State = WaitForSelectorState.Attached }); // a horizontal line has no height: Playwright calls it hidden
        await sagittalInAxial.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var opened = await LineAsync(axialInSagittal);
        var across = await LineAsync(sagittalInAxial);
        await Chromium.ScreenshotAsync(page, "viewer-reference-lines");

        await ScrollFirstViewportAsync(page, notches: 3);
        // The line moves to the new axial slice's height, and stays horizontal.
        await page.WaitForFunctionAsync("""
            opened => { const line = document.querySelector(".side-by-side figure:nth-child(2) .reference-lines line[data-source='0']");
              return line && line.getAttribute('y1') !== opened; }
            """, opened.Y1.ToString("F1", CultureInfo.InvariantCulture));
        var scrolled = await LineAsync(axialInSagittal);
        var counters = page.Locator(".side-by-side .viewer-status span");
        var shown = await counters.AllTextContentsAsync();
        await page.GetByTestId("reference-lines").ClickAsync();
        await ScrollFirstViewportAsync(page, notches: 3);
        await page.WaitForFunctionAsync("shown => document.querySelector('.side-by-side .viewer-status span').textContent !== shown", shown[0]);

        Assert.Equal(opened.Y1, opened.Y2, 0.2);
        Assert.Equal(across.X1, across.X2, 0.2);
        Assert.Equal(scrolled.Y1, scrolled.Y2, 0.2);
        Assert.True(Math.Abs(scrolled.Y1 - opened.Y1) > 5, $"the line moved from y {opened.Y1} to {scrolled.Y1} for three axial slices");
        Assert.Equal(shown[1], (await counters.AllTextContentsAsync())[1]); // the sagittal series, in another orientation, kept its slice
        Assert.Equal("false", await page.GetByTestId("reference-lines").GetAttributeAsync("aria-pressed"));
        Assert.Equal(0, await page.Locator(".reference-lines line").CountAsync());
    }

    /// <summary>A synthetic CT stored and opened at <c>/viewer</c> (<paramref name="query"/> added to the address) by a radiologist, once every slice is loaded.</summary>
    private async Task<IPage> OpenSyntheticCtAsync(Chromium chromium, string query = "")
    {
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var slices = Directory.GetFiles(seriesFolder, "*.dcm").Length;
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}{query}");
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
        return page;
    }

    /// <summary>A synthetic brain MRI stored and opened at <c>/viewer</c> by a radiologist, once its four sequences are drawn side by side.</summary>
    private async Task<IPage> OpenBrainMriSideBySideAsync(Chromium chromium)
    {
        var (study, _, _) = await WebApp.StoreSyntheticStudyAsync(platform, "brain-mri");
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}");
        for (var index = 0; index < 4; index++)
        {
            // Drawn, and given its mouse bindings (Cornerstone's tools, loaded after the first image) for the drags that follow.
            await page.WaitForSelectorAsync($".side-by-side figure:nth-child({index + 1}) .viewer-host[data-rendered=true][data-tools=ready]");
        }
        return page;
    }

    /// <summary>The sum of the stack viewport's canvas' red, green and blue values: a window change changes it.</summary>
    private const string Brightness = """
        () => { const canvas = document.querySelector('[data-testid=viewport] canvas');
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let sum = 0; for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2]; return sum; }
        """;

    private static Task<double> BrightnessAsync(IPage page) => page.EvaluateAsync<double>(Brightness);

    /// <summary>Waits until the stack's counter reads "Slice <paramref name="slice"/> / n".</summary>
    internal static Task WaitForSliceAsync(IPage page, int slice) => page.WaitForFunctionAsync(
        "slice => document.querySelector('.viewer-status span').textContent.startsWith(`Slice ${slice} /`)", slice);

    /// <summary>"Slice k / n": k.</summary>
    internal static int SliceOf(string? counter) => int.Parse(counter!.Split(' ')[1], CultureInfo.InvariantCulture);

    /// <summary>
    /// The stack's slice number once two more frames have passed, so a scroll still on its way (a notch handled twice)
    /// has shown itself in the counter.
    /// </summary>
    private static async Task<int> SettledSliceAsync(IPage page) => SliceOf(await page.EvaluateAsync<string>(
        "() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve(document.querySelector('.viewer-status span').textContent))))"));

    private static string Box(LocatorBoundingBoxResult box) => $"({box.X:F0}, {box.Y:F0}) {box.Width:F0}×{box.Height:F0}";

    /// <summary>A reference line's ends in canvas pixels.</summary>
    /// <summary>
    /// The share of an MPR view's canvas pixels that differ (by more than a little) from those it showed when first asked:
    /// the first call keeps them (on the page) and answers 0.
    /// </summary>
    private const string ChangedPixels = """
        view => {
          const canvas = document.querySelector(`[data-testid=mpr-${view}] canvas`);
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          const kept = (window.cl2KeptPixels ??= {});
          if (!kept[view]) { kept[view] = data; return 0; }
          let changed = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - kept[view][i]) + Math.abs(data[i + 1] - kept[view][i + 1]) + Math.abs(data[i + 2] - kept[view][i + 2]) > 24) changed++;
          }
          return changed / (data.length / 4);
        }
        """;

    private static Task<double> ChangedPixelsAsync(IPage page, string view) => page.EvaluateAsync<double>(ChangedPixels, view);

    /// <summary>The slice each MPR view shows (its viewport's <c>data-slice</c>), by view.</summary>
    private static async Task<Dictionary<string, string>> SlicesAsync(IPage page)
    {
        var slices = new Dictionary<string, string>();
        foreach (var view in new[] { "axial", "sagittal", "coronal" })
        {
            slices[view] = (await page.Locator($"[data-testid=mpr-{view}]").GetAttributeAsync("data-slice"))!;
        }
        return slices;
    }

    /// <summary>A left drag from <paramref name="from"/> to <paramref name="to"/>: press, move there in steps, release.</summary>
    private static async Task DragAsync(IPage page, (float X, float Y) from, (float X, float Y) to)
    {
        await page.Mouse.MoveAsync(from.X, from.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((from.X + to.X) / 2, (from.Y + to.Y) / 2, new() { Steps = 8 });
        await page.Mouse.MoveAsync(to.X, to.Y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    private static async Task<(double X1, double Y1, double X2, double Y2)> LineAsync(ILocator line)
    {
        var ends = await line.EvaluateAsync<double[]>("line => ['x1', 'y1', 'x2', 'y2'].map(name => Number(line.getAttribute(name)))");
        return (ends[0], ends[1], ends[2], ends[3]);
    }

    /// <summary>Each side-by-side viewport's pan (a fraction of its canvas), as the page shows it on the viewport's element.</summary>
    private static Task<string[]> Pans(IPage page) =>
        page.Locator(".side-by-side [data-testid=viewport]").EvaluateAllAsync<string[]>("views => views.map(v => v.dataset.pan ?? '')");

    /// <summary>Each side-by-side viewport's zoom, as the page shows it on the viewport's element.</summary>
    private static Task<string[]> Zooms(IPage page) =>
        page.Locator(".side-by-side [data-testid=viewport]").EvaluateAllAsync<string[]>("views => views.map(v => v.dataset.zoom ?? '')");

    /// <summary>Drags up and right over the first of the side-by-side viewports: with the right button Cornerstone zooms, with the middle it pans, with the left it windows.</summary>
    private static async Task DragOverFirstViewportAsync(IPage page, MouseButton button)
    {
        var canvas = (await page.Locator(".side-by-side figure:nth-child(1) [data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync(new() { Button = button });
        await page.Mouse.MoveAsync(x + canvas.Width / 4, y - canvas.Height / 4, new() { Steps = 8 });
        await page.Mouse.UpAsync(new() { Button = button });
    }

    /// <summary>Turns the mouse wheel over the first of the side-by-side viewports (one notch: one slice).</summary>
    private static Task ScrollFirstViewportAsync(IPage page, int notches) =>
        WheelOverAsync(page, ".side-by-side figure:nth-child(1) [data-testid=viewport] canvas", notches);

    /// <summary>Turns the mouse wheel over the middle of the canvas <paramref name="selector"/> finds first (one notch: one slice).</summary>
    private static async Task WheelOverAsync(IPage page, string selector, int notches)
    {
        var canvas = (await page.Locator(selector).First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        for (var notch = 0; notch < notches; notch++)
        {
            await page.Mouse.WheelAsync(0, 120);
        }
    }
}
