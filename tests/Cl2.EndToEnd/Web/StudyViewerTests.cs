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
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var slices = Directory.GetFiles(seriesFolder, "*.dcm").Length;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}");

        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
        var lit = await WebApp.NonBlackPixelsAsync(page);
        var marks = await page.EvaluateAsync<double[]>("() => ['cl2:first-image', 'cl2:all-loaded'].map(name => performance.getEntriesByName(name).length)");
        await Chromium.ScreenshotAsync(page, "viewer");

        Assert.True(lit > 1000, $"the viewport showed {lit} non-black pixels: the image did not render");
        Assert.Equal([1, 1], marks);
    }

    [Fact]
    public async Task the_mpr_layout_draws_the_ct_volume_in_axial_sagittal_and_coronal_viewports()
    {
        WebApp.RequireBuilt();
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var slices = Directory.GetFiles(seriesFolder, "*.dcm").Length;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"viewer?study={study}&layout=mpr");

        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
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
}
