using System.Text.Json;
using System.Text.Json.Nodes;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// The annotator workspace follows the dataset's labels (<c>defineDatasetLabels</c>): segments named by them on a
/// segmentation dataset, a checkbox per label on a classification dataset; each saved in the format training reads.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class DatasetLabelsPageTests(SignedInPlatform platform)
{
    [Fact]
    public async Task the_annotator_paints_with_the_segments_the_dataset_names()
    {
        WebApp.RequireBuilt();
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await WebApp.DefineDatasetLabelsAsync(platform, datasetId, "SEGMENTATION", new { name = "liver", value = 1 }, new { name = "liver lesion", value = 2 });
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
        var segments = await page.GetByLabel("Segment").Locator("option").AllTextContentsAsync();
        await page.GetByLabel("Segment").SelectOptionAsync(new SelectOptionValue { Label = "liver lesion" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Brush" }).ClickAsync();
        await WebApp.StrokeAcrossTheMiddleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save label" }).ClickAsync();
        var revision = await SavedRevisionAsync(page);
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (header, voxels) = await WebApp.ReadMaskAsync(annotator, revision.GetProperty("blobDigest").GetString()!);

        Assert.Equal(["liver", "liver lesion"], segments);
        Assert.Equal("SEGMENTATION", revision.GetProperty("kind").GetString());
        Assert.Equal("""{"1":"liver","2":"liver lesion"}""", header["labelNames"]!.ToJsonString());
        var painted = voxels.Where(voxel => voxel != 0).ToList();
        Assert.True(painted.Count >= 5, $"only {painted.Count} voxels were painted");
        Assert.All(painted, voxel => Assert.Equal(2, voxel));
    }

    [Fact]
    public async Task the_annotator_ticks_the_labels_of_a_classification_dataset_and_saves_a_classification_label()
    {
        WebApp.RequireBuilt();
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await WebApp.DefineDatasetLabelsAsync(platform, datasetId, "CLASSIFICATION", new { name = "fracture" }, new { name = "implant" });
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"annotate?dataset={datasetId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
        var brushes = await page.GetByRole(AriaRole.Button, new() { Name = "Brush" }).CountAsync();
        await page.GetByLabel("fracture").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save label" }).ClickAsync();
        var revision = await SavedRevisionAsync(page);
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var label = JsonNode.Parse(await annotator.GetByteArrayAsync(new Uri($"blobs/{revision.GetProperty("blobDigest").GetString()}", UriKind.Relative)))!;
        var series = Cl2.Dicom.DicomFile.Open(Directory.GetFiles(seriesFolder, "*.dcm")[0]).Dataset.GetString(Cl2.Dicom.DicomTags.SeriesInstanceUID);

        Assert.Equal(0, brushes);
        Assert.Equal("CLASSIFICATION", revision.GetProperty("kind").GetString());
        Assert.Equal($$$"""{"format":"cl2-classification/1","referencedSeriesInstanceUids":["{{{series}}}"],"labels":{"fracture":true,"implant":false}}""", label.ToJsonString());
    }

    /// <summary>The label revision the page says it saved, read through GraphQL as the annotator.</summary>
    private async Task<JsonElement> SavedRevisionAsync(IPage page)
    {
        var saved = await page.WaitForSelectorAsync("[data-testid=saved]");
        var revisionId = await saved!.GetAttributeAsync("data-label-revision-id");
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator, "query($id: ID!) { labelRevision(id: $id) { kind submittedBy blobDigest } }", new { id = revisionId });
        Assert.Null(error);
        Assert.Equal("annotator", data.GetProperty("labelRevision").GetProperty("submittedBy").GetString());
        return data.GetProperty("labelRevision").Clone();
    }
}
