using System.Text.Json.Nodes;
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

    /// <summary>A dataset holding one synthetic liver CT, made by an ML engineer.</summary>
    private async Task<(string DatasetId, string LabelsHeader)> DatasetOfOneSyntheticCtAsync()
    {
        var (study, labelsHeader) = await WebApp.StoreSyntheticCtAsync(platform);
        return (await WebApp.DatasetHoldingAsync(platform, study), labelsHeader);
    }
}
