using System.Text.Json;
using Cl2.Dicom;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// The Datasets page (<c>/datasets</c>): an ML engineer creates a dataset, defines its labels and input channels and adds
/// a study of the archive as its case, and the annotate page then names its segments by them; it sets the dataset's
/// active-learning strategy and fixes its split; a definition, strategy or split the API refuses shows the API's message
/// and changes nothing; other roles see the datasets without the controls, and the API refuses them the mutations.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class DatasetsPageTests(SignedInPlatform platform)
{
    private const string DatasetFields = "labelKind labels { name value } channels caseCount activeLearning { strategy modelId } split { seed trainCaseIds validationCaseIds testCaseIds }";

    [Fact]
    public async Task an_ml_engineer_creates_a_dataset_defines_its_labels_and_channels_adds_a_case_and_the_annotator_paints_with_those_segments()
    {
        WebApp.RequireBuilt();
        var (study, _, folders) = await WebApp.StoreSyntheticStudyAsync(platform, "brain-mri");
        var seriesUids = new[] { "T1", "T1c" }.Select(channel => DicomFile.Open(Directory.GetFiles(folders[channel], "*.dcm")[0]).Dataset.GetString(DicomTags.SeriesInstanceUID)!).ToList();
        var name = $"brain {Guid.NewGuid():N}"[..14];
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", "datasets");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Description").FillAsync("Brain tumour segmentation over four MR sequences");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create dataset" }).ClickAsync();
        var editor = page.Locator("[data-testid=define-labels]");
        await editor.GetByLabel("Label 1 name").FillAsync("necrotic core");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Add label" }).ClickAsync();
        var proposed = await editor.GetByLabel("Label 2 voxel value").InputValueAsync();
        await editor.GetByLabel("Label 2 name").FillAsync("oedema");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Add label" }).ClickAsync();
        await editor.GetByLabel("Label 3 name").FillAsync("enhancing tumour");
        await editor.GetByLabel("Label 3 voxel value").FillAsync("4");
        await editor.GetByLabel("Channels, in order (optional)").FillAsync("T1, T1c, T2, FLAIR");
        await Chromium.ScreenshotAsync(page, "datasets");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save labels" }).ClickAsync();
        await page.GetByTestId("message").GetByText($"Labels of {name} saved.").WaitForAsync();
        var row = page.Locator("tr[data-testid=dataset]", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = name }) });
        await row.GetByRole(AriaRole.Button, new() { Name = "Add cases" }).ClickAsync();
        await page.GetByLabel("Study Instance UIDs, one per line").FillAsync(study);
        await page.Locator("[data-testid=add-cases]").GetByRole(AriaRole.Button, new() { Name = "Add cases" }).ClickAsync();
        await page.GetByTestId("message").GetByText($"{name}: 1 case added.").WaitForAsync();
        var datasetId = (await row.GetAttributeAsync("data-dataset-id"))!;
        var dataset = await DatasetAsync(datasetId);

        await using var annotatorsChromium = await Chromium.LaunchAsync(); // a browser of its own: the first one's session is the engineer's
        var annotatorPage = await WebApp.SignInAsync(annotatorsChromium, platform, "annotator", "datasets");
        var annotatorRow = annotatorPage.Locator($"tr[data-dataset-id='{datasetId}']");
        var shown = (await annotatorRow.GetByTestId("labels").TextContentAsync(), await annotatorRow.GetByTestId("channels").TextContentAsync(),
            await annotatorRow.GetByTestId("cases").TextContentAsync());
        await annotatorRow.GetByRole(AriaRole.Link, new() { Name = "Annotate" }).ClickAsync();
        await annotatorPage.WaitForSelectorAsync("body[data-ready=true]");
        var annotateUrl = annotatorPage.Url;
        await annotatorPage.GetByRole(AriaRole.Button, new() { Name = "Next case" }).ClickAsync();
        await annotatorPage.GetByText("Choose the series of T1, T1c.").WaitForAsync(new() { Timeout = 120_000 });
        await annotatorPage.Locator("select[data-channel='T1']").SelectOptionAsync(seriesUids[0]);
        await annotatorPage.Locator("select[data-channel='T1c']").SelectOptionAsync(seriesUids[1]);
        await annotatorPage.GetByRole(AriaRole.Button, new() { Name = "Show these series" }).ClickAsync();
        await annotatorPage.GetByRole(AriaRole.Button, new() { Name = "Brush" }).ClickAsync(); // waits until the tools are set up
        var segments = await annotatorPage.GetByLabel("Segment").Locator("option").AllTextContentsAsync();

        Assert.Equal("2", proposed);
        Assert.Equal("SEGMENTATION", dataset.GetProperty("labelKind").GetString());
        Assert.Equal("""[{"name":"necrotic core","value":1},{"name":"oedema","value":2},{"name":"enhancing tumour","value":4}]""",
            dataset.GetProperty("labels").GetRawText());
        Assert.Equal(["T1", "T1c", "T2", "FLAIR"], dataset.GetProperty("channels").EnumerateArray().Select(channel => channel.GetString()));
        Assert.Equal(1, dataset.GetProperty("caseCount").GetInt32());
        Assert.Equal(("necrotic core (1), oedema (2), enhancing tumour (4)", "T1, T1c, T2, FLAIR", "1 unlabelled"), shown);
        Assert.EndsWith($"/annotate?dataset={datasetId}", annotateUrl);
        Assert.Equal(["necrotic core", "oedema", "enhancing tumour"], segments);
    }

    [Fact]
    public async Task a_definition_the_api_refuses_shows_its_message_in_the_form_and_changes_nothing()
    {
        WebApp.RequireBuilt();
        var datasetId = await CreateDatasetAsync();
        await WebApp.DefineDatasetLabelsAsync(platform, datasetId, "SEGMENTATION", new { name = "liver", value = 1 }, new { name = "liver lesion", value = 2 });
        var before = await DatasetAsync(datasetId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", "datasets");

        await page.Locator($"tr[data-dataset-id='{datasetId}']").GetByRole(AriaRole.Button, new() { Name = "Define labels" }).ClickAsync();
        var editor = page.Locator("[data-testid=define-labels]");
        var prefilled = (await editor.GetByLabel("Label 1 name").InputValueAsync(), await editor.GetByLabel("Label 2 name").InputValueAsync());
        await editor.GetByLabel("Label 2 name").FillAsync(" Liver ");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save labels" }).ClickAsync();
        var refusal = await editor.GetByRole(AriaRole.Alert).TextContentAsync();
        var stillTyped = await editor.GetByLabel("Label 2 name").InputValueAsync();
        var after = await DatasetAsync(datasetId);

        Assert.Equal(("liver", "liver lesion"), prefilled);
        Assert.Equal("The label name 'liver' is given twice; each label has its own name.", refusal);
        Assert.Equal(" Liver ", stillTyped);
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    [Fact]
    public async Task an_annotator_sees_the_datasets_without_controls_and_the_api_refuses_them_the_changes()
    {
        WebApp.RequireBuilt();
        var datasetId = await CreateDatasetAsync();
        await WebApp.DefineDatasetLabelsAsync(platform, datasetId, "CLASSIFICATION", new { name = "fracture" }, new { name = "implant" });
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", "datasets");

        var row = page.Locator($"tr[data-dataset-id='{datasetId}']");
        var shown = (await row.GetByTestId("label-kind").TextContentAsync(), await row.GetByTestId("labels").TextContentAsync(),
            await row.GetByTestId("cases").TextContentAsync());
        var settings = (await row.GetByTestId("strategy").TextContentAsync(), await row.GetByTestId("split").TextContentAsync());
        var links = await row.GetByRole(AriaRole.Link).AllTextContentsAsync();
        var controls = await page.GetByRole(AriaRole.Button, new() { Name = "Create dataset" }).CountAsync()
            + await page.GetByRole(AriaRole.Button, new() { Name = "Define labels" }).CountAsync()
            + await page.GetByRole(AriaRole.Button, new() { Name = "Add cases" }).CountAsync()
            + await page.GetByRole(AriaRole.Button, new() { Name = "Active learning" }).CountAsync()
            + await page.GetByRole(AriaRole.Button, new() { Name = "Fix split" }).CountAsync()
            + await page.Locator("main form").CountAsync();
        var menu = await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Datasets" }).CountAsync();
        using var annotator = platform.Client(await platform.UserTokenAsync("annotator"));
        var (_, defineError) = await SignedInPlatform.GraphQLAsync(annotator,
            "mutation($input: DefineDatasetLabelsInput!) { defineDatasetLabels(input: $input) { id } }",
            new { input = new { datasetId, kind = "CLASSIFICATION", labels = new[] { new { name = "tumour" } } } });
        var (_, createError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation { createDataset(input: { name: \"not mine\" }) { id } }");
        var (_, addError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { "1.2.3" } } });
        var (_, strategyError) = await SignedInPlatform.GraphQLAsync(annotator,
            "mutation($input: SetActiveLearningStrategyInput!) { setActiveLearningStrategy(input: $input) { id } }",
            new { input = new { datasetId, strategy = "random" } });
        var (_, splitError) = await SignedInPlatform.GraphQLAsync(annotator, "mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { id } }",
            new { input = new { datasetId, validationFraction = 0.2, testFraction = 0.2, seed = 1 } });
        var after = await DatasetAsync(datasetId);

        Assert.Equal(("classification", "fracture, implant", "no case yet"), shown);
        Assert.Equal(("first (oldest case first)", "not fixed"), settings);
        Assert.Equal(["Cases", "Annotate"], links);
        Assert.Equal(0, controls);
        Assert.Equal(1, menu);
        Assert.Equal(("FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"), (defineError, createError, addError, strategyError, splitError));
        Assert.Equal(JsonValueKind.Null, after.GetProperty("activeLearning").ValueKind);
        Assert.Equal("""[{"name":"fracture","value":null},{"name":"implant","value":null}]""", after.GetProperty("labels").GetRawText());
    }

    [Fact]
    public async Task an_ml_engineer_sets_a_scored_strategy_with_its_model_and_graphql_reads_it_back()
    {
        WebApp.RequireBuilt();
        var datasetId = await CreateDatasetAsync();
        var modelName = $"scorer-{Guid.NewGuid():N}"[..20];
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (model, modelError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }", new { name = modelName });
        Assert.Null(modelError);
        var modelId = model.GetProperty("registerModel").GetProperty("id").GetString()!;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", "datasets");

        var row = page.Locator($"tr[data-dataset-id='{datasetId}']");
        var before = await row.GetByTestId("strategy").TextContentAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Active learning" }).ClickAsync();
        var form = page.Locator("[data-testid=set-strategy]");
        var modelAskedForFirst = await form.GetByLabel("Scored by the production version of").IsVisibleAsync();
        await form.GetByLabel("Next case by").SelectOptionAsync("entropy");
        await form.GetByLabel("Scored by the production version of").SelectOptionAsync(new SelectOptionValue { Label = modelName });
        await form.GetByRole(AriaRole.Button, new() { Name = "Save strategy" }).ClickAsync();
        await page.GetByTestId("message").GetByText("next case by entropy.").WaitForAsync();
        var shown = await row.GetByTestId("strategy").TextContentAsync();
        var activeLearning = (await DatasetAsync(datasetId)).GetProperty("activeLearning");

        Assert.Equal("first (oldest case first)", before);
        Assert.False(modelAskedForFirst);
        Assert.Equal(("entropy", modelId), (activeLearning.GetProperty("strategy").GetString(), activeLearning.GetProperty("modelId").GetString()));
        Assert.Equal($"entropy, scored by {modelName}", shown);
    }

    [Fact]
    public async Task an_ml_engineer_fixes_a_split_graphql_reads_it_back_and_the_row_offers_no_second_fix()
    {
        WebApp.RequireBuilt();
        var stored = await Task.WhenAll(WebApp.StoreSyntheticCtAsync(platform), WebApp.StoreSyntheticCtAsync(platform));
        var datasetId = await WebApp.DatasetHoldingAsync(platform, [.. stored.Select(study => study.Study)]);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", "datasets");

        var row = page.Locator($"tr[data-dataset-id='{datasetId}']");
        var before = await row.GetByTestId("split").TextContentAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Fix split" }).ClickAsync();
        var form = page.Locator("[data-testid=fix-split]");
        var explained = await form.GetByText("It cannot be undone").IsVisibleAsync();
        await form.GetByLabel("Validation fraction").FillAsync("50%");
        await form.GetByLabel("Test fraction").FillAsync("0");
        await form.GetByLabel("Seed").FillAsync("7");
        await form.GetByRole(AriaRole.Button, new() { Name = "Fix split" }).ClickAsync();
        await page.GetByTestId("message").GetByText("fixed.").WaitForAsync();
        var shown = await row.GetByTestId("split").TextContentAsync();
        var fixButtons = await row.GetByRole(AriaRole.Button, new() { Name = "Fix split" }).CountAsync();
        var split = (await DatasetAsync(datasetId)).GetProperty("split");

        Assert.Equal("not fixed", before);
        Assert.True(explained);
        Assert.Equal((7, 1, 1, 0), (split.GetProperty("seed").GetInt32(), split.GetProperty("trainCaseIds").GetArrayLength(),
            split.GetProperty("validationCaseIds").GetArrayLength(), split.GetProperty("testCaseIds").GetArrayLength()));
        Assert.Equal("fixed: 1 train · 1 validation · 0 test, seed 7", shown);
        Assert.Equal(0, fixButtons);
    }

    [Fact]
    public async Task a_strategy_without_its_model_and_a_split_without_cases_show_the_apis_refusals_and_change_nothing()
    {
        WebApp.RequireBuilt();
        var datasetId = await CreateDatasetAsync();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", "datasets");
        var row = page.Locator($"tr[data-dataset-id='{datasetId}']");
        var name = (await row.GetByRole(AriaRole.Rowheader).TextContentAsync())!.Trim();

        await row.GetByRole(AriaRole.Button, new() { Name = "Active learning" }).ClickAsync();
        var strategyForm = page.Locator("[data-testid=set-strategy]");
        await strategyForm.GetByLabel("Next case by").SelectOptionAsync("mc-dropout");
        await strategyForm.GetByRole(AriaRole.Button, new() { Name = "Save strategy" }).ClickAsync();
        var strategyRefusal = await strategyForm.GetByRole(AriaRole.Alert).TextContentAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Fix split" }).ClickAsync();
        var splitForm = page.Locator("[data-testid=fix-split]");
        await splitForm.GetByRole(AriaRole.Button, new() { Name = "Fix split" }).ClickAsync();
        var splitRefusal = await splitForm.GetByRole(AriaRole.Alert).TextContentAsync();
        var after = await DatasetAsync(datasetId);

        Assert.Equal("The 'mc-dropout' strategy ranks cases by scores a model computes: name the model whose production version scores them (modelId).",
            strategyRefusal);
        Assert.Equal($"Dataset '{name}' has no cases to split yet: add cases first.", splitRefusal);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("activeLearning").ValueKind);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("split").ValueKind);
    }

    /// <summary>A new dataset with no label and no case, created by an ML engineer through GraphQL; its id.</summary>
    private async Task<string> CreateDatasetAsync()
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($name: String!) { createDataset(input: { name: $name }) { id } }",
            new { name = $"datasets page {Guid.NewGuid():N}" });
        Assert.Null(error);
        return data.GetProperty("createDataset").GetProperty("id").GetString()!;
    }

    /// <summary>The dataset's labels, channels, case count, strategy and split as GraphQL answers them to an ML engineer.</summary>
    private async Task<JsonElement> DatasetAsync(string datasetId)
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(engineer, $"query($id: ID!) {{ dataset(id: $id) {{ {DatasetFields} }} }}", new { id = datasetId });
        Assert.Null(error);
        return data.GetProperty("dataset").Clone();
    }
}
