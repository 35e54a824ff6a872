using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// The label review page (<c>/review-labels</c>): labels an annotator submitted on synthetic liver CTs (a block of
/// "liver" on one slice, not the middle one, submitted through GraphQL as the annotator workspace submits it), and on a
/// synthetic brain MRI over its four channels' series, and a classification of a synthetic CT, which a radiologist
/// approves, rejects or corrects in the browser;
/// the decisions read back through GraphQL.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class LabelReviewPageTests(SignedInPlatform platform)
{
    [Fact]
    public async Task approving_the_oldest_submitted_segmentation_records_it_approved_and_opens_the_next_label()
    {
        WebApp.RequireBuilt();
        var (first, header) = await WebApp.StoreSyntheticCtAsync(platform);
        var (second, secondHeader) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await LiverDatasetAsync(first, second);
        var cases = await CasesAsync(datasetId);
        var (slices, labelledSlice) = SlicesOf(header);
        var firstRevision = await SubmitBlockAsync(cases[first], header, baseRevision: 0);
        var secondRevision = await SubmitBlockAsync(cases[second], secondHeader, baseRevision: 0);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review-labels?dataset={datasetId}");

        var opened = await page.WaitForSelectorAsync("[data-testid=reviewed-label]", new() { Timeout = 120_000 });
        var (openedCase, openedRevision) = (await opened!.GetAttributeAsync("data-case-id"), await opened.GetAttributeAsync("data-label-revision-id"));
        await page.WaitForSelectorAsync(".viewer-host[data-overlay=label]", new() { Timeout = 180_000 });
        await page.WaitForSelectorAsync($".viewer-host[data-loaded='{slices}']", new() { Timeout = 180_000 });
        await WebApp.WaitForColouredPixelsAsync(page, 1000);
        var counter = await page.Locator(".viewer-status span").TextContentAsync();
        var segments = await page.GetByTestId("segments").TextContentAsync();
        var queue = await page.Locator(".queue tbody tr").AllTextContentsAsync();
        var paintingTools = await page.Locator(".toolbar.labels").CountAsync();
        await Chromium.ScreenshotAsync(page, "review-labels");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.WaitForSelectorAsync($"[data-testid=reviewed-label][data-case-id='{cases[second]}']", new() { Timeout = 180_000 });
        var decided = await page.GetByTestId("decided").TextContentAsync();

        Assert.Equal((cases[first], firstRevision), (openedCase, openedRevision));
        Assert.Equal($"Slice {labelledSlice + 1} / {slices}", counter?.Trim());
        Assert.Contains($"liver: 256 voxels on slices {labelledSlice + 1}–{labelledSlice + 1}", segments, StringComparison.Ordinal);
        Assert.Equal(2, queue.Count);
        Assert.Contains(first[^12..], queue[0], StringComparison.Ordinal);
        Assert.Contains("annotator", queue[0], StringComparison.Ordinal);
        Assert.Equal(0, paintingTools);
        Assert.Contains("Approved revision 1", decided, StringComparison.Ordinal);
        var reviewed = await RevisionAsync(firstRevision);
        Assert.Equal(("APPROVED", "radiologist"), (reviewed.GetProperty("status").GetString(), reviewed.GetProperty("reviewedBy").GetString()));
        Assert.Equal("SUBMITTED", (await RevisionAsync(secondRevision)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_label_is_rejected_only_with_a_reason_which_the_revision_keeps()
    {
        WebApp.RequireBuilt();
        var (study, header) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await LiverDatasetAsync(study);
        var revisionId = await SubmitBlockAsync((await CasesAsync(datasetId))[study], header, baseRevision: 0);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review-labels?dataset={datasetId}");
        await page.WaitForSelectorAsync(".viewer-host[data-overlay=label]", new() { Timeout = 180_000 });
        var reason = page.Locator("#review-comment");

        await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        var refusedWithoutReason = await reason.EvaluateAsync<string>("field => field.validationMessage");
        await page.Locator("[data-testid=viewport]").ClickAsync(); // focus out of the field, so the key is the page's
        await page.Keyboard.PressAsync("r");
        var focused = await reason.EvaluateAsync<bool>("field => document.activeElement === field");
        await reason.FillAsync("the lesion's margin is left out");
        await reason.PressAsync("Control+Enter");
        await page.WaitForSelectorAsync("[data-testid=queue-empty]", new() { Timeout = 180_000 });
        var decided = page.GetByTestId("decided");

        Assert.Contains("Say why the label is rejected", refusedWithoutReason, StringComparison.Ordinal);
        Assert.True(focused, "R did not move the focus to the reason");
        Assert.Equal("REJECTED", await decided.GetAttributeAsync("data-status"));
        var revision = await RevisionAsync(revisionId);
        Assert.Equal(("REJECTED", "radiologist", "the lesion's margin is left out"),
            (revision.GetProperty("status").GetString(), revision.GetProperty("reviewedBy").GetString(), revision.GetProperty("reviewComment").GetString()));
    }

    [Fact]
    public async Task a_label_resubmitted_during_the_review_is_not_approved_and_reload_shows_the_new_revision_with_the_reason_kept()
    {
        WebApp.RequireBuilt();
        var (study, header) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await LiverDatasetAsync(study);
        var caseId = (await CasesAsync(datasetId))[study];
        var firstRevision = await SubmitBlockAsync(caseId, header, baseRevision: 0);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review-labels?dataset={datasetId}");
        await page.WaitForSelectorAsync(".viewer-host[data-overlay=label]", new() { Timeout = 180_000 });

        var secondRevision = await SubmitBlockAsync(caseId, header, baseRevision: 1);
        await page.Locator("#review-comment").FillAsync("checked against the portal phase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        var refused = await page.GetByTestId("refused").TextContentAsync(new() { Timeout = 120_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Reload" }).ClickAsync();
        await page.WaitForSelectorAsync($"[data-testid=reviewed-label][data-label-revision-id='{secondRevision}']", new() { Timeout = 180_000 });
        var kept = await page.Locator("#review-comment").InputValueAsync(new() { Timeout = 180_000 });

        Assert.Contains("it is at revision 2 now", refused, StringComparison.Ordinal);
        Assert.Contains("Your decision was not recorded. Reload", refused, StringComparison.Ordinal);
        Assert.Equal("checked against the portal phase", kept);
        Assert.Equal("SUBMITTED", (await RevisionAsync(secondRevision)).GetProperty("status").GetString());
        Assert.NotEqual("APPROVED", (await RevisionAsync(firstRevision)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_label_over_four_series_is_shown_on_each_of_them_side_by_side_captioned_by_channel_at_its_labelled_slice()
    {
        WebApp.RequireBuilt();
        var (study, header, folders) = await WebApp.StoreSyntheticStudyAsync(platform, "brain-mri");
        var seriesUids = MultiSeriesLabelTests.Channels.Select(channel => MultiSeriesLabelTests.SeriesUidOf(folders[channel])).ToArray();
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await MultiSeriesLabelTests.DefineBrainLabelsAsync(platform, datasetId);
        var (slices, labelledSlice) = SlicesOf(header);
        await SubmitBlockAsync((await CasesAsync(datasetId))[study], header, baseRevision: 0, seriesUids, (4, "enhancing tumour"));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review-labels?dataset={datasetId}");

        foreach (var channel in MultiSeriesLabelTests.Channels)
        {
            var figure = $"figure[data-channel='{channel}']";
            await page.WaitForSelectorAsync($"{figure} .viewer-host[data-overlay=label][data-loaded='{slices}']", new() { Timeout = 180_000 });
            await WebApp.WaitForColouredPixelsAsync(page, 1000, $"{figure} [data-testid=viewport] canvas");
        }
        var captions = await page.Locator(".side-by-side figcaption").AllTextContentsAsync();
        var counters = await page.Locator(".side-by-side .viewer-status span").AllTextContentsAsync();
        var segments = await page.GetByTestId("segments").TextContentAsync();
        await Chromium.ScreenshotAsync(page, "review-labels-channels");

        Assert.Equal(["T1: AX T1 SE", "T1c: AX T1 SE +C", "T2: AX T2 FSE", "FLAIR: AX T2 FLAIR"], captions.Select(caption => caption.Trim()));
        Assert.Equal(Enumerable.Repeat($"Slice {labelledSlice + 1} / {slices}", 4), counters.Select(counter => counter.Trim()));
        Assert.Contains($"enhancing tumour: 256 voxels on slices {labelledSlice + 1}–{labelledSlice + 1}", segments, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".toolbar.labels").CountAsync());
    }

    [Fact]
    public async Task a_reviewer_corrects_a_label_and_saves_it_approved_as_a_new_revision_with_the_annotators_revision_kept()
    {
        WebApp.RequireBuilt();
        var (study, header) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await LiverDatasetAsync(study);
        var caseId = (await CasesAsync(datasetId))[study];
        var (slices, labelledSlice) = SlicesOf(header);
        var annotators = await SubmitBlockAsync(caseId, header, baseRevision: 0);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review-labels?dataset={datasetId}");
        await page.WaitForSelectorAsync($".viewer-host[data-overlay=label][data-loaded='{slices}']", new() { Timeout = 180_000 });
        await WebApp.WaitForColouredPixelsAsync(page, 1000);

        await page.GetByRole(AriaRole.Button, new() { Name = "Correct", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Eraser" }).ClickAsync();
        await WebApp.StrokeAcrossTheMiddleAsync(page); // through the block, which lies in the image's middle
        await page.Locator("#review-comment").FillAsync("the block's middle rows are not liver");
        await Chromium.ScreenshotAsync(page, "review-labels-correct");
        var approveWhileCorrecting = await page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).IsEnabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save correction and approve" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=queue-empty]", new() { Timeout = 180_000 });
        var decided = page.GetByTestId("decided");
        var correctedId = await decided.GetAttributeAsync("data-label-revision-id");
        var said = await decided.TextContentAsync();

        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist,
            "query($id: ID!) { case(id: $id) { currentRevision currentRevisionId labelStatus labelHistory { id revision status submittedBy reviewedBy reviewComment blobDigest } } }",
            new { id = caseId });
        Assert.Null(error);
        var found = data.GetProperty("case");
        var history = found.GetProperty("labelHistory").EnumerateArray().ToDictionary(revision => revision.GetProperty("id").GetString()!);
        var corrected = history[correctedId!];
        var (_, before) = await WebApp.ReadMaskAsync(radiologist, history[annotators].GetProperty("blobDigest").GetString()!);
        var (_, after) = await WebApp.ReadMaskAsync(radiologist, corrected.GetProperty("blobDigest").GetString()!);

        Assert.False(approveWhileCorrecting, "Approve (the uncorrected revision) stayed enabled while correcting");
        Assert.Contains("Corrected revision 1", said, StringComparison.Ordinal);
        Assert.Equal((2, correctedId, "APPROVED"), (found.GetProperty("currentRevision").GetInt32(), found.GetProperty("currentRevisionId").GetString(), found.GetProperty("labelStatus").GetString()));
        Assert.Equal((2, "APPROVED", "radiologist", "radiologist", "the block's middle rows are not liver"),
            (corrected.GetProperty("revision").GetInt32(), corrected.GetProperty("status").GetString(), corrected.GetProperty("submittedBy").GetString(),
                corrected.GetProperty("reviewedBy").GetString(), corrected.GetProperty("reviewComment").GetString()));
        Assert.Equal((1, "annotator"), (history[annotators].GetProperty("revision").GetInt32(), history[annotators].GetProperty("submittedBy").GetString()));
        // The eraser took voxels out of the block and put none anywhere else.
        var kept = Enumerable.Range(0, after.Length).Where(index => after[index] != 0).ToList();
        Assert.Equal(256, before.Count(value => value != 0));
        Assert.InRange(kept.Count, 1, 255);
        Assert.All(kept, index => Assert.Equal(1, before[index]));
        Assert.All(kept, index => Assert.Equal(1, after[index]));
    }

    [Fact]
    public async Task a_reviewer_corrects_a_classification_by_ticking_its_labels_and_saves_it_approved_as_a_new_revision()
    {
        WebApp.RequireBuilt();
        var (study, _, seriesFolder) = await WebApp.StoreSyntheticCtSeriesAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await WebApp.DefineDatasetLabelsAsync(platform, datasetId, "CLASSIFICATION", new { name = "fracture" }, new { name = "implant" });
        var caseId = (await CasesAsync(datasetId))[study];
        var series = MultiSeriesLabelTests.SeriesUidOf(seriesFolder);
        var annotators = await SubmitClassificationAsync(caseId, series, new() { ["fracture"] = true, ["implant"] = false });
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review-labels?dataset={datasetId}");
        await page.WaitForSelectorAsync(".viewer-host[data-overlay=classification]", new() { Timeout = 180_000 });
        var answers = await page.GetByTestId("answers").TextContentAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Correct", Exact = true }).ClickAsync();
        var approveWhileCorrecting = await page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).IsEnabledAsync();
        var tickedAtFirst = (await page.GetByLabel("fracture").IsCheckedAsync(), await page.GetByLabel("implant").IsCheckedAsync());
        await page.GetByLabel("fracture").UncheckAsync();
        await page.GetByLabel("implant").CheckAsync();
        await page.Locator("#review-comment").FillAsync("no fracture; the hip has an implant");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save correction and approve" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=queue-empty]", new() { Timeout = 180_000 });
        var correctedId = await page.GetByTestId("decided").GetAttributeAsync("data-label-revision-id");

        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist,
            "query($id: ID!) { case(id: $id) { currentRevisionId labelStatus labelHistory { id revision kind status submittedBy reviewComment blobDigest } } }",
            new { id = caseId });
        Assert.Null(error);
        var found = data.GetProperty("case");
        var history = found.GetProperty("labelHistory").EnumerateArray().ToDictionary(revision => revision.GetProperty("id").GetString()!);
        var corrected = history[correctedId!];
        var label = JsonNode.Parse(await radiologist.GetByteArrayAsync(new Uri($"blobs/{corrected.GetProperty("blobDigest").GetString()}", UriKind.Relative)))!;

        Assert.Contains("fracture: yes", answers, StringComparison.Ordinal);
        Assert.Contains("implant: no", answers, StringComparison.Ordinal);
        Assert.False(approveWhileCorrecting, "Approve (the uncorrected revision) stayed enabled while correcting");
        Assert.Equal((true, false), tickedAtFirst);
        Assert.Equal((correctedId, "APPROVED"), (found.GetProperty("currentRevisionId").GetString(), found.GetProperty("labelStatus").GetString()));
        Assert.Equal((2, "CLASSIFICATION", "APPROVED", "radiologist", "no fracture; the hip has an implant"),
            (corrected.GetProperty("revision").GetInt32(), corrected.GetProperty("kind").GetString(), corrected.GetProperty("status").GetString(),
                corrected.GetProperty("submittedBy").GetString(), corrected.GetProperty("reviewComment").GetString()));
        Assert.Equal($$$"""{"format":"cl2-classification/1","referencedSeriesInstanceUids":["{{{series}}}"],"labels":{"fracture":false,"implant":true}}""", label.ToJsonString());
        Assert.Equal((1, "annotator"), (history[annotators].GetProperty("revision").GetInt32(), history[annotators].GetProperty("submittedBy").GetString()));
    }

    [Fact]
    public async Task an_annotator_has_no_label_review_page()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();

        var page = await WebApp.SignInAsync(chromium, platform, "annotator", "review-labels");
        var menu = await page.Locator("#nav a").AllTextContentsAsync();
        var said = await page.GetByTestId("not-allowed").TextContentAsync();

        Assert.DoesNotContain("Review labels", menu);
        Assert.Contains("Reviewing labels is for radiologists", said, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".decision").CountAsync());
    }

    /// <summary>A dataset of <paramref name="studies"/> whose segmentation labels are liver (1) and liver lesion (2).</summary>
    private async Task<string> LiverDatasetAsync(params string[] studies)
    {
        var datasetId = await WebApp.DatasetHoldingAsync(platform, studies);
        await WebApp.DefineDatasetLabelsAsync(platform, datasetId, "SEGMENTATION", new { name = "liver", value = 1 }, new { name = "liver lesion", value = 2 });
        return datasetId;
    }

    /// <summary>The dataset's case ids by study.</summary>
    private async Task<Dictionary<string, string>> CasesAsync(string datasetId)
    {
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator,
            "query($id: ID!) { cases(dataset: $id, first: 10) { items { id studyInstanceUid } } }", new { id = datasetId });
        Assert.Null(error);
        return data.GetProperty("cases").GetProperty("items").EnumerateArray()
            .ToDictionary(item => item.GetProperty("studyInstanceUid").GetString()!, item => item.GetProperty("id").GetString()!);
    }

    /// <summary>The slices of synth's grid, and the one the block is labelled on: a quarter of the way, not the middle the viewer opens at.</summary>
    private static (int Slices, int LabelledSlice) SlicesOf(string labelsHeader)
    {
        var slices = JsonNode.Parse(File.ReadAllText(labelsHeader))!["shape"]![0]!.GetValue<int>();
        return (slices, slices / 4);
    }

    /// <summary>
    /// Submits, as the annotator, a mask on synth's grid of the study (its label header) holding a 16×16 block of liver
    /// (value 1) on the labelled slice, in the format the annotator workspace saves; the revision's id.
    /// </summary>
    /// <param name="series">the series the mask references, in channel order (by default those of synth's header)</param>
    /// <param name="segment">the block's value and its name (by default liver, 1)</param>
    private async Task<string> SubmitBlockAsync(string caseId, string labelsHeader, int baseRevision, string[]? series = null,
        (int Value, string Name)? segment = null)
    {
        var (value, segmentName) = segment ?? (1, "liver");
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!.AsObject();
        var shape = header["shape"]!.AsArray().Select(size => size!.GetValue<int>()).ToArray();
        var (_, labelledSlice) = SlicesOf(labelsHeader);
        var voxels = new byte[shape[0] * shape[1] * shape[2]];
        for (var row = 8; row < 24; row++)
        {
            for (var column = 8; column < 24; column++)
            {
                voxels[(labelledSlice * shape[1] * shape[2]) + (row * shape[2]) + column] = (byte)value;
            }
        }
        header["labelNames"] = new JsonObject { [$"{value}"] = segmentName };
        if (series is not null)
        {
            header["referencedSeriesInstanceUids"] = new JsonArray(series.Select(uid => (JsonNode?)JsonValue.Create(uid)).ToArray());
        }
        header["dataFile"] = "labels.u8";
        using var mask = new MemoryStream();
        await using (var writer = new TarWriter(mask, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, bytes) in new[] { ("labels.json", Encoding.UTF8.GetBytes(header.ToJsonString())), ("labels.u8", voxels) })
            {
                await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }
        return await SubmitAsync(caseId, baseRevision, "SEGMENTATION", mask.ToArray());
    }

    /// <summary>Submits, as the annotator, a classification label of <paramref name="series"/> in the annotator workspace's format; the revision's id.</summary>
    private async Task<string> SubmitClassificationAsync(string caseId, string series, Dictionary<string, bool> labels)
    {
        var label = JsonSerializer.SerializeToUtf8Bytes(new { format = "cl2-classification/1", referencedSeriesInstanceUids = new[] { series }, labels });
        return await SubmitAsync(caseId, baseRevision: 0, "CLASSIFICATION", label);
    }

    /// <summary>Uploads <paramref name="blob"/> and submits it as the annotator, as the annotator workspace does; the revision's id.</summary>
    private async Task<string> SubmitAsync(string caseId, int baseRevision, string kind, byte[] blob)
    {
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        using var upload = await annotator.PostAsync(new Uri("blobs", UriKind.Relative), new ByteArrayContent(blob));
        Assert.True(upload.IsSuccessStatusCode, $"POST /blobs answered {(int)upload.StatusCode}");
        var digest = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("digest").GetString();
        var (data, error) = await SignedInPlatform.GraphQLAsync(annotator,
            "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision, kind, blobDigest = digest } });
        Assert.Null(error);
        return data.GetProperty("submitLabel").GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> RevisionAsync(string id)
    {
        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist,
            "query($id: ID!) { labelRevision(id: $id) { status reviewedBy reviewComment } }", new { id });
        Assert.Null(error);
        return data.GetProperty("labelRevision").Clone();
    }
}
