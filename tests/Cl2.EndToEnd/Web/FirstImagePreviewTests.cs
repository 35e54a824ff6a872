using System.Text.Json;
using Cl2.Dicom;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// The stack's first image drawn without Cornerstone (web/src/viewer/firstImagePreview.ts) and handed over to the
/// viewport, on the real platform: the preview must show what Cornerstone then draws, and the viewer must work after it.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class FirstImagePreviewTests(SignedInPlatform platform)
{
    /// <summary>
    /// Keeps a copy of the preview's canvas at the moment the page marks its first image (the benchmark's mark), with
    /// whether Cornerstone had drawn by then.
    /// </summary>
    private const string KeepPreviewAtFirstImage = """
        const mark = performance.mark.bind(performance);
        performance.mark = (name, options) => {
          if (name === 'cl2:first-image') {
            const canvas = document.querySelector('[data-testid=viewport] canvas.first-image-preview');
            window.cl2Preview = canvas && canvas.isConnected
              ? { width: canvas.width, height: canvas.height, data: canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data,
                  cornerstoneDrawn: performance.getEntriesByName('cl2:cornerstone-image').length > 0 }
              : null;
          }
          return mark(name, options);
        };
        """;

    /// <summary>The kept preview against the viewport's canvas now: grey-level differences and lit pixels.</summary>
    private const string ComparePreviewWithViewport = """
        () => {
          const preview = window.cl2Preview;
          const canvas = document.querySelector('[data-testid=viewport] canvas.cornerstone-canvas');
          const drawn = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const result = { sameSize: preview.width === canvas.width && preview.height === canvas.height, meanDifference: 0, farOff: 0,
            previewLit: 0, viewportLit: 0, cornerstoneDrawn: preview.cornerstoneDrawn };
          if (!result.sameSize) return result;
          const pixels = drawn.length / 4;
          for (let i = 0; i < drawn.length; i += 4) {
            const difference = Math.abs(preview.data[i] - drawn[i]);
            result.meanDifference += difference / pixels;
            if (difference > 48) result.farOff++;
            if (preview.data[i] > 30) result.previewLit++;
            if (drawn[i] > 30) result.viewportLit++;
          }
          result.farOff /= pixels;
          return result;
        }
        """;

    private sealed record Comparison(bool SameSize, double MeanDifference, double FarOff, int PreviewLit, int ViewportLit, bool CornerstoneDrawn);

    [Fact]
    public async Task the_preview_shows_the_pixels_the_viewport_then_draws_and_the_viewer_scrolls_and_windows_after_the_hand_over()
    {
        WebApp.RequireBuilt();
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var series = DicomFile.Open(Directory.GetFiles(seriesFolder, "*.dcm")[0]).Dataset.GetString(DicomTags.SeriesInstanceUID)!;
        await using var chromium = await Chromium.LaunchAsync();
        await chromium.Context.AddInitScriptAsync(KeepPreviewAtFirstImage);
        // The viewer's Cornerstone code (web/src/viewer/studyViewerCode.ts, built as assets/studyViewerCode-<hash>.js) is
        // held back until the preview is shown, so what the first-image mark saw is surely the preview.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await chromium.Context.RouteAsync("**/assets/studyViewerCode-*.js", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        try
        {
            // Signed in first, then the address a PACS link (and `./cl2 bench viewer`) opens: the series named, so its frame
            // is asked for at once.
            var page = await WebApp.SignInAsync(chromium, platform, "radiologist");
            await page.GotoAsync(new Uri(platform.Gateway, $"viewer?study={study}&series={series}").ToString());
            await page.WaitForSelectorAsync("[data-testid=viewport][data-preview=shown]", new() { Timeout = 120_000 });
            var marked = await page.EvaluateAsync<bool>("() => window.cl2Preview != null");
            release.TrySetResult();
            await page.WaitForSelectorAsync("[data-testid=viewport][data-preview=handed-over]", new() { Timeout = 120_000 });
            await page.WaitForSelectorAsync(".viewer-host[data-tools=ready]", new() { Timeout = 120_000 });
            var comparison = (await page.EvaluateAsync<JsonElement>(ComparePreviewWithViewport)).Deserialize<Comparison>(
                new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            var previewCanvases = await page.Locator("canvas.first-image-preview").CountAsync();
            var detail = $"preview against viewport: {comparison}";

            Assert.True(marked, "the first-image mark was not set while the preview was shown");
            Assert.False(comparison.CornerstoneDrawn, detail);
            Assert.True(comparison.SameSize, detail);
            Assert.True(comparison.PreviewLit > 1000, detail);
            Assert.True(Math.Abs(comparison.PreviewLit - comparison.ViewportLit) < comparison.ViewportLit * 0.03, detail);
            Assert.True(comparison.MeanDifference < 4, detail);
            Assert.True(comparison.FarOff < 0.01, detail);
            Assert.Equal(0, previewCanvases);

            // After the hand-over the viewport is Cornerstone's: the wheel scrolls and a left drag windows.
            var opened = StudyViewerTests.SliceOf(await page.Locator(".viewer-status span").TextContentAsync());
            var canvas = (await page.Locator(WebApp.ViewportCanvas).First.BoundingBoxAsync())!;
            var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
            await page.Mouse.MoveAsync(x, y);
            await page.Mouse.WheelAsync(0, 120);
            await page.Mouse.WheelAsync(0, 120);
            await StudyViewerTests.WaitForSliceAsync(page, opened + 2);
            var before = await BrightnessAsync(page);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(x + canvas.Width / 4, y - canvas.Height / 4, new() { Steps = 8 });
            await page.Mouse.UpAsync();
            await page.WaitForFunctionAsync($"before => ({Brightness})() !== before", before);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>The sum of the viewport's canvas' red values: a window change changes it.</summary>
    private const string Brightness = """
        () => { const canvas = document.querySelector('[data-testid=viewport] canvas.cornerstone-canvas');
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let sum = 0; for (let i = 0; i < data.length; i += 4) sum += data[i]; return sum; }
        """;

    private static Task<double> BrightnessAsync(IPage page) => page.EvaluateAsync<double>(Brightness);
}
