using System.Globalization;
using System.Text.Json.Nodes;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>The review page a PACS opens (<c>/review?study=…</c>): the newest inference result of the study, or why there
/// is none, and the radiologist's verdict recorded as feedback.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class ReviewPageTests(SignedInPlatform platform)
{
    [Fact]
    public async Task a_study_that_no_rule_matched_says_so_on_the_review_page()
    {
        WebApp.RequireBuilt();
        var study = $"2.25.{Random.Shared.NextInt64(1, long.MaxValue)}";
        await WebApp.RecordInferenceResultAsync(platform, study, versionId: null, failure: "NO_RULE_MATCHED");
        await using var chromium = await Chromium.LaunchAsync();

        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");
        var said = await page.Locator("[data-testid=no-result]").TextContentAsync();

        Assert.Contains("no routing rule matched it", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_study_inference_received_without_a_result_yet_says_it_is_still_being_processed()
    {
        WebApp.RequireBuilt();
        var study = $"2.25.{Random.Shared.NextInt64(1, long.MaxValue)}";
        await WebApp.RecordStudyReceivedAsync(platform, study, "CT1", 12);
        await using var chromium = await Chromium.LaunchAsync();

        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");
        var said = await page.Locator("[data-testid=no-result]").TextContentAsync();

        Assert.Contains("inference received it (12 instances", said, StringComparison.Ordinal);
        Assert.Contains("is still processing it", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_radiologist_rejects_an_ai_result_with_a_reason_and_the_feedback_appears_through_graphql()
    {
        WebApp.RequireBuilt();
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var versionId = (await WebApp.RegisterModelVersionAsync(platform)).VersionId;
        var resultId = await WebApp.RecordInferenceResultAsync(platform, study, versionId, failure: null);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");

        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
        await page.GetByLabel("Reason or comment").FillAsync("misses the lesion in segment 6");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=feedback-saved]");

        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist,
            "query($id: ID!) { inferenceResult(id: $id) { feedback { verdict comment radiologist } } }", new { id = resultId });
        Assert.Null(error);
        var feedback = Assert.Single(data.GetProperty("inferenceResult").GetProperty("feedback").EnumerateArray());
        Assert.Equal("REJECT", feedback.GetProperty("verdict").GetString());
        Assert.Equal("misses the lesion in segment 6", feedback.GetProperty("comment").GetString());
        Assert.Equal("radiologist", feedback.GetProperty("radiologist").GetString());
    }

    /// <param name="inADataset">Whether the study is a case of a dataset; one straight from the PACS is not, and the page
    /// opens its case in the model's feedback dataset (openCorrectionCase) to save the correction on.</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task a_radiologist_corrects_the_overlaid_segmentation_and_the_feedback_names_the_corrected_label_revision(bool inADataset)
    {
        WebApp.RequireBuilt();
        var (study, labelsHeader, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var written = await ReviewedSegmentation.WriteAsync(labelsHeader, seriesFolder, "liver-ct 1");
        await WebApp.StoreAsync(platform, [written.Segmentation, written.Report]);
        if (inADataset)
        {
            await WebApp.DatasetHoldingAsync(platform, study);
        }
        var resultId = await WebApp.RecordInferenceResultAsync(platform, study, (await WebApp.RegisterModelVersionAsync(platform)).VersionId, failure: null, [written.SegmentationUid, written.ReportUid]);
        var shape = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!["shape"]!.AsArray().Select(size => size!.GetValue<int>()).ToArray();
        var (slices, slice) = (shape[0], shape[1] * shape[2]);
        var painted = (byte)JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!["labelNames"]!.AsObject().Select(name => int.Parse(name.Key, CultureInfo.InvariantCulture)).Max();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");

        await page.WaitForSelectorAsync(".viewer-host[data-overlay=segmentation]");
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']");
        var findings = await page.Locator("[data-testid=findings]").TextContentAsync();
        var coloured = await WebApp.ColouredPixelsAsync(page);
        if (inADataset)
        {
            await Chromium.ScreenshotAsync(page, "review");
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Correct" }).ClickAsync();
        await page.GetByLabel("Segment").SelectOptionAsync(painted.ToString(CultureInfo.InvariantCulture));
        var canvas = (await page.Locator("[data-testid=viewport] canvas").First.BoundingBoxAsync())!;
        // Across the middle of the image (it fills the viewport's height), through the body outside the segments.
        var (x, y, reach) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2, canvas.Height * 0.35f);
        await page.Mouse.MoveAsync(x - reach, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x + reach, y, new() { Steps = 24 });
        await page.Mouse.UpAsync();
        if (inADataset)
        {
            await Chromium.ScreenshotAsync(page, "review-correct");
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Save correction" }).ClickAsync();
        var saved = await page.WaitForSelectorAsync("[data-testid=correction-saved]");
        var revisionId = await saved!.GetAttributeAsync("data-label-revision-id");

        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist, """
            query($result: ID!, $revision: ID!) {
              inferenceResult(id: $result) { feedback { verdict correctedLabelRevisionId radiologist } }
              labelRevision(id: $revision) { revision kind submittedBy blobDigest case { studyInstanceUid } } }
            """, new { result = resultId, revision = revisionId });
        Assert.Null(error);
        var feedback = Assert.Single(data.GetProperty("inferenceResult").GetProperty("feedback").EnumerateArray());
        var revision = data.GetProperty("labelRevision");
        var (_, voxels) = await WebApp.ReadMaskAsync(radiologist, revision.GetProperty("blobDigest").GetString()!);
        var changed = Enumerable.Range(0, voxels.Length).Where(index => voxels[index] != written.Labels[index]).ToList();

        Assert.Contains("Volume", findings, StringComparison.Ordinal);
        Assert.True(coloured > 100, $"the viewport showed {coloured} coloured pixels: the segmentation was not drawn over the image");
        Assert.Equal(("CORRECT", revisionId, "radiologist"),
            (feedback.GetProperty("verdict").GetString(), feedback.GetProperty("correctedLabelRevisionId").GetString(), feedback.GetProperty("radiologist").GetString()));
        Assert.Equal(("SEGMENTATION", "radiologist", study),
            (revision.GetProperty("kind").GetString(), revision.GetProperty("submittedBy").GetString(), revision.GetProperty("case").GetProperty("studyInstanceUid").GetString()));
        // The correction is the model's segmentation as overlaid, changed only by the stroke on the slice shown (the middle one).
        Assert.True(changed.Count >= 5, $"only {changed.Count} voxels differ from the model's segmentation");
        Assert.All(changed, index => Assert.Equal((slices / 2, painted), (index / slice, voxels[index])));
    }

    /// <summary>A result that wrote two SEGs of the series (the second's one segment named as one of the first's): both are
    /// drawn as one labelmap, the second's segment numbered after the first's and named with its SEG's description, and
    /// a correction saved without a stroke is that labelmap: every voxel of both.</summary>
    [Fact]
    public async Task every_segmentation_of_a_result_is_drawn_with_its_segments_kept_distinct()
    {
        WebApp.RequireBuilt();
        var (study, labelsHeader, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var written = await ReviewedSegmentation.WriteAsync(labelsHeader, seriesFolder, "liver-ct 1");
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        var shape = header["shape"]!.AsArray().Select(size => size!.GetValue<int>()).ToArray();
        var (slices, slice) = (shape[0], shape[1] * shape[2]);
        // The second SEG: the top quarter of every slice outside the first's segments.
        var mask = written.Labels.Select((voxel, index) => voxel == 0 && index % slice < slice / 4 ? (byte)1 : (byte)0).ToArray();
        var (second, secondUid) = ReviewedSegmentation.WriteAnother(seriesFolder, "liver", mask, "liver-ct 2");
        await WebApp.StoreAsync(platform, [written.Segmentation, second, written.Report]);
        await WebApp.RecordInferenceResultAsync(platform, study, (await WebApp.RegisterModelVersionAsync(platform)).VersionId, failure: null,
            [written.SegmentationUid, secondUid, written.ReportUid]);
        var firstNames = header["labelNames"]!.AsObject().Where(name => name.Key != "0")
            .ToDictionary(name => int.Parse(name.Key, CultureInfo.InvariantCulture), name => name.Value!.GetValue<string>());
        var secondValue = (byte)(firstNames.Keys.Max() + 1);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");

        await page.WaitForSelectorAsync(".viewer-host[data-overlay=segmentation]", new() { Timeout = 180_000 });
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']", new() { Timeout = 180_000 });
        var legend = await page.Locator("[data-testid=segments] li").AllTextContentsAsync();
        var swatches = await page.Locator("[data-testid=segments] .swatch").EvaluateAllAsync<string[]>("swatches => swatches.map(s => s.style.background)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Correct" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save correction" }).ClickAsync();
        var saved = await page.WaitForSelectorAsync("[data-testid=correction-saved]", new() { Timeout = 180_000 });
        var revisionId = await saved!.GetAttributeAsync("data-label-revision-id");

        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist,
            "query($revision: ID!) { labelRevision(id: $revision) { blobDigest } }", new { revision = revisionId });
        Assert.Null(error);
        var (maskHeader, voxels) = await WebApp.ReadMaskAsync(radiologist, data.GetProperty("labelRevision").GetProperty("blobDigest").GetString()!);

        Assert.Equal([.. firstNames.OrderBy(name => name.Key).Select(name => name.Value), "liver (liver-ct 2)"], legend.Select(line => line.Trim()));
        Assert.Equal(swatches.Length, swatches.Distinct().Count());
        Assert.Equal("liver (liver-ct 2)", maskHeader["labelNames"]![secondValue.ToString(CultureInfo.InvariantCulture)]!.GetValue<string>());
        Assert.Contains(mask, inside => inside == 1);
        var expected = written.Labels.Select((voxel, index) => mask[index] == 1 ? secondValue : voxel).ToArray();
        Assert.Equal(expected, voxels);
    }

    /// <summary>A result with a SEG of the axial CT and one of its sagittal reformat: the page draws the axial one and links
    /// the other series, whose page (<c>&amp;series=</c>) draws the sagittal SEG alone.</summary>
    [Fact]
    public async Task a_segmentation_of_another_series_is_linked_to_the_review_of_that_series()
    {
        WebApp.RequireBuilt();
        var (study, labelsHeader, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var written = await ReviewedSegmentation.WriteAsync(labelsHeader, seriesFolder, "liver-ct 1");
        var sagittalFolder = Directory.CreateTempSubdirectory("cl2-web-sagittal-").FullName;
        var reformat = SagittalReformat.Of(seriesFolder, seriesNumber: 3);
        for (var index = 0; index < reformat.Count; index++)
        {
            await File.WriteAllBytesAsync(Path.Combine(sagittalFolder, $"{index:D4}.dcm"), reformat[index]);
        }
        var image = Cl2.Dicom.DicomFile.Open(Directory.GetFiles(sagittalFolder)[0]).Dataset;
        var voxels = reformat.Count * image.GetValue<int>(Cl2.Dicom.DicomTags.Rows) * image.GetValue<int>(Cl2.Dicom.DicomTags.Columns);
        var (sagittalSeg, sagittalSegUid) = ReviewedSegmentation.WriteAnother(sagittalFolder, "liver lesion",
            [.. Enumerable.Range(0, voxels).Select(index => (byte)(index % 7 == 0 ? 1 : 0))], "liver-ct sagittal");
        await WebApp.StoreAsync(platform, [.. reformat, written.Segmentation, sagittalSeg, written.Report]);
        await WebApp.RecordInferenceResultAsync(platform, study, (await WebApp.RegisterModelVersionAsync(platform)).VersionId, failure: null,
            [written.SegmentationUid, sagittalSegUid, written.ReportUid]);
        var firstNames = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!["labelNames"]!.AsObject().Where(name => name.Key != "0")
            .OrderBy(name => int.Parse(name.Key, CultureInfo.InvariantCulture)).Select(name => name.Value!.GetValue<string>()).ToList();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");

        await page.WaitForSelectorAsync(".viewer-host[data-overlay=segmentation]", new() { Timeout = 180_000 });
        var axialLegend = await page.Locator("[data-testid=segments] li").AllTextContentsAsync();
        var link = page.Locator("[data-testid=result] a[href*='series=']", new() { HasText = "SAG reformat" });
        var href = await link.GetAttributeAsync("href");
        await link.ClickAsync();
        await page.WaitForURLAsync("**series=**", new() { Timeout = 60_000 });
        await page.WaitForSelectorAsync(".viewer-host[data-overlay=segmentation]", new() { Timeout = 180_000 });
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{reformat.Count}']", new() { Timeout = 180_000 });
        var sagittalLegend = await page.Locator("[data-testid=segments] li").AllTextContentsAsync();
        var backLink = await page.Locator("[data-testid=result] a[href*='series=']").CountAsync();
        var coloured = await WebApp.ColouredPixelsAsync(page);

        Assert.Equal(firstNames, axialLegend.Select(line => line.Trim()));
        Assert.Contains($"study={study}", href, StringComparison.Ordinal);
        Assert.Equal(["liver lesion"], sagittalLegend.Select(line => line.Trim()));
        Assert.Equal(1, backLink); // the axial series, segmented by the first SEG
        Assert.True(coloured > 10, $"the sagittal view showed {coloured} coloured pixels");
    }
}
