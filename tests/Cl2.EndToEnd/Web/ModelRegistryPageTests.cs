using System.Text.Json;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>The model registry (<c>/models</c>): a training job's progress arriving live over the trainingProgress
/// subscription, promotion and shadows, which only an ML engineer is offered and allowed, and a version's shadow report.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class ModelRegistryPageTests(SignedInPlatform platform)
{
    [Fact]
    public async Task an_ml_engineer_sees_a_training_job_progress_live_and_promotes_a_version()
    {
        WebApp.RequireBuilt();
        var (modelId, versionId) = await WebApp.RegisterModelVersionAsync(platform);
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var jobId = await RunningJobAsync(engineer, modelId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");
        var job = page.Locator($"[data-job-id='{jobId}']");
        Assert.True(await job.CountAsync() == 1, $"the registry does not list job {jobId}: {await page.Locator("#page").TextContentAsync()}");

        // Reported after the page loaded: only the subscription can bring them.
        await ReportAsync(engineer, jobId, epoch: 1, loss: 0.9);
        await ReportAsync(engineer, jobId, epoch: 2, loss: 0.5);
        await page.WaitForSelectorAsync($"[data-job-id='{jobId}'][data-epoch='2']");
        await Chromium.ScreenshotAsync(page, "models");
        await page.Locator($"button[data-action=promote][data-version-id='{versionId}']").ClickAsync();
        var confirmation = page.Locator("[data-testid=confirm-change]");
        await confirmation.Locator("input[name=reason]").FillAsync(" first clinical release ");
        await Chromium.ScreenshotAsync(page, "models-promote");
        await confirmation.Locator("button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync($"tr[data-version-id='{versionId}'] [data-testid=stage]:text('PRODUCTION')");

        var (data, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "query($id: ID!) { model(id: $id) { productionVersion { id } productionHistory { reason } } }", new { id = modelId });
        Assert.Null(error);
        Assert.Equal(versionId, data.GetProperty("model").GetProperty("productionVersion").GetProperty("id").GetString());
        Assert.Equal("first clinical release", data.GetProperty("model").GetProperty("productionHistory")[0].GetProperty("reason").GetString());
        Assert.EndsWith("Reason: first clinical release",
            await page.Locator($"[data-testid=production-period][data-version-id='{versionId}']").GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        Assert.Contains("epoch 2, loss 0.5000", await job.TextContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_annotator_is_offered_no_promotion_and_the_api_refuses_it()
    {
        WebApp.RequireBuilt();
        var (modelId, versionId) = await WebApp.RegisterModelVersionAsync(platform);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"models?model={modelId}");
        Assert.True(await page.Locator($"tr[data-version-id='{versionId}']").CountAsync() == 1,
            $"the registry does not list version {versionId}: {await page.Locator("#page").TextContentAsync()}");

        var buttons = await page.Locator("button[data-action]").CountAsync();
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (_, error) = await SignedInPlatform.GraphQLAsync(annotator,
            "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = 2 } });

        Assert.Equal(0, buttons);
        Assert.Equal("FORBIDDEN", error);
    }

    [Fact]
    public async Task two_versions_are_compared_side_by_side_with_their_metrics_and_the_difference()
    {
        WebApp.RequireBuilt();
        var (modelId, firstId) = await WebApp.RegisterModelVersionAsync(platform);
        await WebApp.RegisterNextVersionAsync(platform, modelId, firstId, dice: 0.91, codeVersion: "web test 2");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");

        var comparison = page.GetByTestId("comparison");
        var dice = await comparison.Locator("tr", new() { HasText = "dice" }).InnerTextAsync();
        var code = await comparison.Locator("tr", new() { HasText = "Code version" }).InnerTextAsync();
        await Chromium.ScreenshotAsync(page, "models-compare");

        Assert.Equal(["dice", "0.870", "0.910", "+0.040"], dice.Split('\t', StringSplitOptions.TrimEntries));
        Assert.Equal(["Code version", "web test", "web test 2", ""], code.Split('\t', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task cancelling_a_waiting_job_shows_the_apis_refusal_of_a_too_long_reason_until_the_reason_fits()
    {
        WebApp.RequireBuilt();
        var (modelId, _) = await WebApp.RegisterModelVersionAsync(platform);
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (requested, requestError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }", new { input = new { modelId, trigger = "web cancel test" } });
        Assert.Null(requestError);
        var jobId = requested.GetProperty("requestTraining").GetProperty("id").GetString()!;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");
        var cancel = page.Locator($"[data-job-id='{jobId}'] button[data-action=cancel-job]");
        var confirmation = page.Locator("[data-testid=confirm-change][data-action=cancel-job]");

        await cancel.ClickAsync();
        // Past the field's maxlength, as a script could send it: the page shows what the API answers.
        await confirmation.Locator("input[name=reason]").EvaluateAsync("input => { input.value = 'r'.repeat(1001); }");
        await confirmation.Locator("button[type=submit]").ClickAsync();
        var refusal = page.Locator(".message .error");
        await refusal.WaitForAsync();
        var refused = await refusal.TextContentAsync();
        var statusAfterRefusal = await JobStatusAsync(engineer, jobId);
        await cancel.ClickAsync();
        await confirmation.Locator("input[name=reason]").FillAsync(" not needed ");
        await confirmation.Locator("button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync($"[data-job-id='{jobId}'][data-status=CANCELLED]");

        Assert.Equal("reason is at most 1000 characters; this one has 1001.", refused);
        Assert.Equal("Training job cancelled.", await page.Locator(".message").TextContentAsync());
        Assert.Equal("REQUESTED", statusAfterRefusal);
        Assert.Equal("CANCELLED", await JobStatusAsync(engineer, jobId));
        Assert.Equal(0, await page.Locator($"[data-job-id='{jobId}'] button[data-action=cancel-job]").CountAsync());
    }

    [Fact]
    public async Task an_ml_engineer_runs_a_candidate_in_shadow_from_the_page_and_sees_its_report()
    {
        WebApp.RequireBuilt();
        var (modelId, firstId) = await WebApp.RegisterModelVersionAsync(platform);
        var secondId = await WebApp.RegisterNextVersionAsync(platform, modelId, firstId, dice: 0.9, codeVersion: "web shadow test");
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");
        var shadowLine = page.GetByTestId("shadow");
        var before = await shadowLine.TextContentAsync();

        await page.Locator($"button[data-action=shadow][data-version-id='{secondId}']").ClickAsync();
        await page.Locator("[data-testid=confirm-change][data-action=shadow] button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync($"[data-testid=shadow][data-version-id='{secondId}']");
        var (data, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "query($id: ID!) { model(id: $id) { shadow { version { id } shadowedBy } } }", new { id = modelId });
        Assert.Null(error);

        // What inference records of a study the shadow ran on beside production, and a radiologist's acceptance of production's result.
        var productionResultId = await ShadowRanBesideProductionAsync(firstId, secondId, ("liver", 0.9), ("lesion", 0.5));
        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (_, feedbackError) = await SignedInPlatform.GraphQLAsync(radiologist,
            "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }", new { input = new { inferenceResultId = productionResultId, verdict = "ACCEPT" } });
        Assert.Null(feedbackError);
        await page.ReloadAsync();
        var report = page.Locator($"tr[data-version-id='{secondId}'] [data-testid=shadow-report]");
        await report.Locator("summary").ClickAsync();
        var rows = await report.Locator("tr").AllInnerTextsAsync();
        var compared = await page.GetByTestId("comparison").Locator("tr", new() { HasText = "Shadow agreement with production" }).InnerTextAsync();
        await Chromium.ScreenshotAsync(page, "models-shadow");

        Assert.Equal("No version runs in shadow.", before?.Trim());
        Assert.Equal(secondId, data.GetProperty("model").GetProperty("shadow").GetProperty("version").GetProperty("id").GetString());
        Assert.StartsWith("v2 runs in shadow beside production, started by ml-engineer", (await shadowLine.TextContentAsync())?.Trim(), StringComparison.Ordinal);
        Assert.Equal("in shadow now", await page.Locator($"tr[data-version-id='{secondId}'] [data-testid=in-shadow]").TextContentAsync());
        Assert.Equal("70.0% agreement with production on 1 study", await report.Locator("summary").TextContentAsync());
        Assert.Equal(["Agreement with production\t70.0%", "Agreement with production: lesion\t50.0%", "Agreement with production: liver\t90.0%",
            "Studies with a radiologist’s verdict\t1", "Agreement with radiologists\t70.0%", "Corrected (compared with the shadow)\t0 (0)"], rows.Skip(1));
        Assert.Equal(["Shadow agreement with production", "—", "70.0%", ""], compared.Split('\t', StringSplitOptions.TrimEntries));
        Assert.Equal(0, await page.Locator($"button[data-action=shadow][data-version-id='{secondId}']").CountAsync());
    }

    [Fact]
    public async Task an_annotator_sees_the_shadow_without_controls_and_the_api_refuses_to_stop_it()
    {
        WebApp.RequireBuilt();
        var (modelId, versionId) = await WebApp.RegisterModelVersionAsync(platform);
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (_, shadowError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: ShadowModelVersionInput!) { shadowModelVersion(input: $input) { id } }", new { input = new { modelId, versionId } });
        Assert.Null(shadowError);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"models?model={modelId}");

        var shadow = await page.GetByTestId("shadow").TextContentAsync();
        var buttons = await page.Locator("button[data-action]").CountAsync();
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (_, error) = await SignedInPlatform.GraphQLAsync(annotator,
            "mutation($input: ClearModelShadowInput!) { clearModelShadow(input: $input) { id } }", new { input = new { modelId } });

        Assert.StartsWith("v1 runs in shadow beside production, started by ml-engineer", shadow?.Trim(), StringComparison.Ordinal);
        Assert.Equal(0, buttons);
        Assert.Equal("FORBIDDEN", error);
    }

    [Fact]
    public async Task a_versions_corrected_studies_link_to_the_viewer_and_for_a_radiologist_to_the_review()
    {
        WebApp.RequireBuilt();
        var (modelId, versionId) = await WebApp.RegisterModelVersionAsync(platform);
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        using var mask = await annotator.PostAsync(new Uri("blobs", UriKind.Relative), new ByteArrayContent(Guid.NewGuid().ToByteArray()));
        var digest = JsonDocument.Parse(await mask.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).RootElement.GetProperty("digest").GetString();
        var (cases, casesError) = await SignedInPlatform.GraphQLAsync(annotator, "query($id: ID!) { dataset(id: $id) { cases(first: 1) { items { id } } } }", new { id = datasetId });
        Assert.Null(casesError);
        var caseId = cases.GetProperty("dataset").GetProperty("cases").GetProperty("items")[0].GetProperty("id").GetString();
        var (revision, revisionError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = digest } });
        Assert.Null(revisionError);
        var resultId = await WebApp.RecordInferenceResultAsync(platform, study, versionId, failure: null);
        using var radiologistClient = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (_, feedbackError) = await SignedInPlatform.GraphQLAsync(radiologistClient, "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new
            {
                input = new
                {
                    inferenceResultId = resultId, verdict = "CORRECT",
                    correctedLabelRevisionId = revision.GetProperty("submitLabel").GetProperty("id").GetString()
                }
            });
        Assert.Null(feedbackError);
        await using var chromium = await Chromium.LaunchAsync();

        var engineer = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");
        var corrected = engineer.Locator($"tr[data-version-id='{versionId}'] [data-testid=corrected]");
        await corrected.Locator("summary").ClickAsync();
        var engineerLinks = await corrected.Locator("a").EvaluateAllAsync<string[]>("links => links.map(link => link.getAttribute('href'))");
        var summary = await corrected.Locator("summary").TextContentAsync();
        await using var radiologistChromium = await Chromium.LaunchAsync(); // a browser of its own: another user's session
        var radiologist = await WebApp.SignInAsync(radiologistChromium, platform, "radiologist", $"models?model={modelId}");
        var radiologistLinks = await radiologist.Locator($"tr[data-version-id='{versionId}'] [data-testid=corrected] a")
            .EvaluateAllAsync<string[]>("links => links.map(link => link.getAttribute('href'))");
        await radiologist.Locator($"tr[data-version-id='{versionId}'] [data-testid=corrected] summary").ClickAsync();
        await radiologist.Locator($"tr[data-version-id='{versionId}'] [data-testid=corrected] a[href^='/viewer']").ClickAsync();
        await radiologist.WaitForSelectorAsync(".viewer-host[data-rendered=true]");

        Assert.Equal("1 study", summary?.Trim());
        Assert.Equal([$"/viewer?study={study}"], engineerLinks);
        Assert.Equal([$"/viewer?study={study}", $"/review?study={study}"], radiologistLinks);
    }

    /// <summary>A production result of <paramref name="productionVersionId"/> on a new study and the shadow's result beside
    /// it, both recorded as inference records them (its client credentials); the production result's id.</summary>
    private async Task<string> ShadowRanBesideProductionAsync(string productionVersionId, string shadowVersionId, params (string Label, double Agreement)[] labels)
    {
        var study = $"2.25.{Random.Shared.NextInt64(1, long.MaxValue)}";
        using var inference = platform.Client(await WebApp.ClientTokenAsync(platform, "inference"));
        var (result, resultError) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = productionVersionId, pipeline = "liver-ct", resultUids = new[] { $"{study}.1" }, durationMs = 12.5 } });
        Assert.Null(resultError);
        var productionResultId = result.GetProperty("recordInferenceResult").GetProperty("id").GetString()!;
        var (_, shadowError) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordShadowResultInput!) { recordShadowResult(input: $input) { id } }",
            new { input = new { productionResultId, versionId = shadowVersionId, labels = labels.Select(label => new { label = label.Label, agreement = label.Agreement }) } });
        Assert.Null(shadowError);
        return productionResultId;
    }

    private static async Task<string?> JobStatusAsync(HttpClient engineer, string jobId)
    {
        var (data, error) = await SignedInPlatform.GraphQLAsync(engineer, "query($id: ID!) { trainingJob(id: $id) { status } }", new { id = jobId });
        Assert.Null(error);
        return data.GetProperty("trainingJob").GetProperty("status").GetString();
    }

    /// <summary>A training job of the model, requested and claimed by an ML engineer (as a worker would).</summary>
    private static async Task<string> RunningJobAsync(HttpClient engineer, string modelId)
    {
        var (requested, requestError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }", new { input = new { modelId, trigger = "web test" } });
        Assert.Null(requestError);
        var (claimed, claimError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: ClaimTrainingJobInput!) { claimTrainingJob(input: $input) { id } }", new { input = new { worker = "web-test", device = "cpu", modelId } });
        Assert.Null(claimError);
        Assert.Equal(requested.GetProperty("requestTraining").GetProperty("id").GetString(), claimed.GetProperty("claimTrainingJob").GetProperty("id").GetString());
        return claimed.GetProperty("claimTrainingJob").GetProperty("id").GetString()!;
    }

    private static async Task ReportAsync(HttpClient engineer, string jobId, int epoch, double loss)
    {
        var (_, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: ReportTrainingProgressInput!) { reportTrainingProgress(input: $input) { id } }",
            new { input = new { jobId, attempt = 1, epoch, loss } });
        Assert.Null(error);
    }
}
