using System.Text.Json;
using Cl2.Dicom;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// A dataset's own page (<c>/datasets?dataset=&lt;id&gt;</c>): an ML engineer picks studies from the archive's list and adds
/// them, assigns and releases a case, removes one, and sees a removal labeling refuses with its message; an annotator
/// sees the cases without those controls and the API refuses them; a scored strategy's scoring jobs are listed.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class DatasetCasesTests(SignedInPlatform platform)
{
    private const string CasesQuery = "query($dataset: ID!) { cases(dataset: $dataset, first: 500) { items { id studyInstanceUid assignedTo assignmentExpiresAt } } }";

    [Fact]
    public async Task an_ml_engineer_picks_two_studies_from_the_archive_list_adds_them_and_sees_them_as_cases()
    {
        WebApp.RequireBuilt();
        var stored = await Task.WhenAll(WebApp.StoreSyntheticCtSeriesAsync(platform), WebApp.StoreSyntheticCtSeriesAsync(platform),
            WebApp.StoreSyntheticCtSeriesAsync(platform));
        var patients = stored.Select(study => DicomFile.Open(Directory.GetFiles(study.SeriesFolder, "*.dcm")[0]).Dataset.GetString(DicomTags.PatientID)!).ToList();
        var datasetId = await WebApp.DatasetHoldingAsync(platform, stored[2].Study);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"datasets?dataset={datasetId}");

        var search = page.GetByTestId("study-search");
        foreach (var (study, patient) in stored.Take(2).Zip(patients))
        {
            await search.GetByLabel("Patient ID").FillAsync(patient);
            await SearchAsync(page);
            await page.Locator($"[data-testid=archive-study][data-study='{study.Study}'] input[type=checkbox]").CheckAsync();
        }
        var ticked = await page.GetByTestId("ticked").TextContentAsync();
        await search.GetByLabel("Patient ID").FillAsync(patients[2]);
        await SearchAsync(page);
        var heldRow = page.Locator($"[data-testid=archive-study][data-study='{stored[2].Study}']");
        await heldRow.GetByTestId("held").WaitForAsync();
        var heldCheckboxes = await heldRow.Locator("input[type=checkbox]").CountAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add ticked studies" }).ClickAsync();
        await page.GetByTestId("message").GetByText("2 cases added.").WaitForAsync();
        var listed = await page.Locator("tr[data-testid=case]").EvaluateAllAsync<string[]>("rows => rows.map(row => row.dataset.study)");
        var described = await page.Locator($"tr[data-testid=case][data-study='{stored[0].Study}'] td.study").TextContentAsync();
        await Chromium.ScreenshotAsync(page, "dataset-cases");
        var cases = await CasesAsync(datasetId);

        Assert.Equal("2 studies ticked.", ticked);
        Assert.Equal(0, heldCheckboxes);
        Assert.Equal(stored.Select(study => study.Study).Order(), listed.Order());
        Assert.Contains("CT ABDOMEN", described);
        Assert.Contains(patients[0], described);
        Assert.Equal(stored.Select(study => study.Study).Order(), cases.Select(item => item.GetProperty("studyInstanceUid").GetString()).Order());
    }

    [Fact]
    public async Task an_ml_engineer_assigns_a_case_to_a_user_filters_by_them_and_releases_it_and_graphql_reads_each_back()
    {
        WebApp.RequireBuilt();
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"datasets?dataset={datasetId}");

        var row = page.Locator($"tr[data-testid=case][data-study='{study}']");
        var before = await row.GetByTestId("assigned").TextContentAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        var form = page.GetByTestId("assign-case");
        await form.GetByLabel("Assign to (user name)").FillAsync("annotator");
        await form.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await page.GetByTestId("message").GetByText("assigned to annotator.").WaitForAsync();
        var assigned = await row.GetByTestId("assigned").TextContentAsync();
        var afterAssign = (await CasesAsync(datasetId)).Single();
        var filters = page.GetByTestId("case-filters");
        await filters.GetByLabel("Assigned to").FillAsync("annotator");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("assignee=annotator", StringComparison.Ordinal));
        var filtered = await page.GetByTestId("case-count").TextContentAsync();
        await page.Locator($"tr[data-testid=case][data-study='{study}']").GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        await page.GetByTestId("message").GetByText("released").WaitForAsync();
        var afterRelease = (await CasesAsync(datasetId)).Single();
        var leftUnderFilter = await page.GetByTestId("case-count").TextContentAsync();

        Assert.Equal("free", before);
        Assert.Equal("annotator (no end)", assigned);
        Assert.Equal(("annotator", JsonValueKind.Null), (afterAssign.GetProperty("assignedTo").GetString(), afterAssign.GetProperty("assignmentExpiresAt").ValueKind));
        Assert.Equal("1 case assigned to annotator", filtered);
        Assert.Equal(JsonValueKind.Null, afterRelease.GetProperty("assignedTo").ValueKind);
        Assert.Equal("0 cases assigned to annotator", leftUnderFilter);
    }

    [Fact]
    public async Task an_ml_engineer_removes_a_case_and_a_removal_from_the_fixed_split_shows_labelings_refusal_and_changes_nothing()
    {
        WebApp.RequireBuilt();
        var stored = await Task.WhenAll(WebApp.StoreSyntheticCtAsync(platform), WebApp.StoreSyntheticCtAsync(platform), WebApp.StoreSyntheticCtAsync(platform));
        var datasetId = await WebApp.DatasetHoldingAsync(platform, stored[0].Study, stored[1].Study);
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (_, splitError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { id } }",
            new { input = new { datasetId, validationFraction = 0.5, testFraction = 0.0, seed = 3 } });
        var (_, addError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { stored[2].Study } } });
        Assert.Equal<(string?, string?)>((null, null), (splitError, addError));
        var (dataset, _) = await SignedInPlatform.GraphQLAsync(engineer, "query($id: ID!) { dataset(id: $id) { name } }", new { id = datasetId });
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"datasets?dataset={datasetId}");

        var added = page.Locator($"tr[data-testid=case][data-study='{stored[2].Study}']");
        var parts = await page.Locator("tr[data-testid=case]").GetByTestId("part").AllTextContentsAsync();
        await added.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        var explained = await page.GetByTestId("remove-case").GetByText("Its labels and history stay in the event").IsVisibleAsync();
        await page.GetByTestId("remove-case").GetByRole(AriaRole.Button, new() { Name = "Remove case" }).ClickAsync();
        await page.GetByTestId("message").GetByText("removed from").WaitForAsync();
        var remaining = await page.Locator("tr[data-testid=case]").CountAsync();
        var afterRemoval = await CasesAsync(datasetId);
        var held = page.Locator($"tr[data-testid=case][data-study='{stored[0].Study}']");
        var heldId = (await held.GetAttributeAsync("data-case-id"))!;
        await held.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        var confirmation = page.GetByTestId("remove-case");
        var warned = await confirmation.GetByText("labeling will refuse to remove it").IsVisibleAsync();
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Remove case" }).ClickAsync();
        var refusal = await confirmation.GetByRole(AriaRole.Alert).TextContentAsync();
        var afterRefusal = await CasesAsync(datasetId);

        Assert.Equal(["not in the split", "train", "validation"], parts.Order());
        Assert.True(explained);
        Assert.Equal(2, remaining);
        Assert.Equal(stored.Take(2).Select(study => study.Study).Order(), afterRemoval.Select(item => item.GetProperty("studyInstanceUid").GetString()).Order());
        Assert.True(warned);
        Assert.Equal($"Case {heldId} is in the fixed split of dataset '{dataset.GetProperty("dataset").GetProperty("name").GetString()}', which does not change: create a new dataset without it instead.",
            refusal);
        Assert.Equal(afterRemoval.Select(item => item.GetRawText()), afterRefusal.Select(item => item.GetRawText()));
    }

    [Fact]
    public async Task an_annotator_sees_the_cases_without_controls_to_change_them_and_the_api_refuses_them_the_changes()
    {
        WebApp.RequireBuilt();
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        var caseId = (await CasesAsync(datasetId)).Single().GetProperty("id").GetString()!;
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (_, assignError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: AssignCaseInput!) { assignCase(input: $input) { id } }",
            new { input = new { caseId, assignee = "radiologist" } });
        Assert.Null(assignError);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"datasets?dataset={datasetId}");

        var row = page.Locator($"tr[data-testid=case][data-study='{study}']");
        var assigned = await row.GetByTestId("assigned").TextContentAsync();
        var links = await row.GetByRole(AriaRole.Link).AllTextContentsAsync();
        var controls = await page.Locator("tr[data-testid=case] button").CountAsync() + await page.GetByTestId("study-search").CountAsync()
            + await page.GetByTestId("add-cases").CountAsync() + await page.GetByRole(AriaRole.Button, new() { Name = "Add ticked studies" }).CountAsync();
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (_, removeError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation($input: RemoveCaseInput!) { removeCase(input: $input) }",
            new { input = new { caseId } });
        var (_, reassignError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation($input: AssignCaseInput!) { assignCase(input: $input) { id } }",
            new { input = new { caseId, assignee = "annotator" } });
        var (_, releaseError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation($input: ReleaseCaseInput!) { releaseCase(input: $input) { id } }",
            new { input = new { caseId } });
        var after = (await CasesAsync(datasetId)).Single();

        Assert.Equal("radiologist (no end)", assigned);
        Assert.Equal(["View study", "Annotate"], links);
        Assert.Equal(0, controls);
        Assert.Equal(("FORBIDDEN", "CASE_ASSIGNED_TO_SOMEONE_ELSE", "CASE_ASSIGNED_TO_SOMEONE_ELSE"), (removeError, reassignError, releaseError));
        Assert.Equal(("radiologist", caseId), (after.GetProperty("assignedTo").GetString(), after.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task the_scoring_jobs_of_a_dataset_with_a_scored_strategy_are_listed_newest_first()
    {
        WebApp.RequireBuilt();
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var datasetId = await WebApp.DatasetHoldingAsync(platform, study);
        var (modelId, versionId) = await WebApp.RegisterModelVersionAsync(platform);
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (model, _) = await SignedInPlatform.GraphQLAsync(engineer, "query($id: ID!) { model(id: $id) { name version } }", new { id = modelId });
        var (_, promoteError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = model.GetProperty("model").GetProperty("version").GetInt32() } });
        Assert.Null(promoteError);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"datasets?dataset={datasetId}");
        var none = await page.GetByTestId("no-jobs").TextContentAsync();
        foreach (var strategy in new[] { "entropy", "mc-dropout" })
        {
            var (_, strategyError) = await SignedInPlatform.GraphQLAsync(engineer,
                "mutation($input: SetActiveLearningStrategyInput!) { setActiveLearningStrategy(input: $input) { id } }",
                new { input = new { datasetId, strategy, modelId } });
            Assert.Null(strategyError);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        var rows = page.Locator("tr[data-testid=scoring-job]");
        await rows.Nth(1).WaitForAsync();
        var shownIds = await rows.EvaluateAllAsync<string[]>("rows => rows.map(row => row.dataset.jobId)");
        var versions = await rows.GetByTestId("job-version").AllTextContentsAsync();
        var methods = await rows.GetByTestId("job-method").AllTextContentsAsync();
        var statuses = await rows.GetByTestId("job-status").AllTextContentsAsync();
        var (jobs, _) = await SignedInPlatform.GraphQLAsync(engineer, "query($dataset: ID!) { scoringJobs(dataset: $dataset) { id method status } }",
            new { dataset = datasetId });
        var listed = jobs.GetProperty("scoringJobs").EnumerateArray().ToList();

        Assert.StartsWith("No scoring job: this dataset hands out cases by first", none);
        Assert.Equal(listed.Select(job => job.GetProperty("id").GetString()), shownIds);
        Assert.Equal(2, shownIds.Length);
        Assert.Equal(listed.Select(job => job.GetProperty("method").GetString()), methods);
        Assert.Equal("mc-dropout", methods[0]);
        Assert.All(versions, version => Assert.Equal($"{model.GetProperty("model").GetProperty("name").GetString()} v1", version));
        Assert.All(statuses, status => Assert.Equal("waiting for a training worker", status));
    }

    /// <summary>Searches the archive with the filters typed, and waits until the studies it found are listed.</summary>
    private static async Task SearchAsync(IPage page)
    {
        await page.GetByTestId("study-search").GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.Locator("[data-testid=archive-studies][aria-busy=false]").WaitForAsync();
    }

    /// <summary>The dataset's cases as GraphQL answers them to an ML engineer, oldest first.</summary>
    private async Task<List<JsonElement>> CasesAsync(string datasetId)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(engineer, CasesQuery, new { dataset = datasetId });
        Assert.Null(error);
        return [.. data.GetProperty("cases").GetProperty("items").EnumerateArray().Select(item => item.Clone())];
    }
}
