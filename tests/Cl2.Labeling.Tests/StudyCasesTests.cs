using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary><c>studyCases(study:)</c>: the review page's way from a Study Instance UID to the study's cases.</summary>
public sealed class StudyCasesTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> DatasetWithAsync(string name, params string[] studies)
    {
        var dataset = (await api.RunAsync("mutation($name: String!) { createDataset(input: { name: $name }) { id } }", new { name }))["createDataset"]!["id"]!.GetValue<string>();
        await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = studies } });
        return dataset;
    }

    private async Task<JsonNode> StudyCasesAsync(string study) =>
        (await api.RunAsAsync(("radiologist", "radiologist"),
            "query($study: String!) { studyCases(study: $study) { totalCount items { studyInstanceUid dataset { id } } } }", new { study }))["studyCases"]!;

    [Fact]
    public async Task a_study_in_two_datasets_lists_its_case_of_each_oldest_first()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.95.1", "1.2.95.2");
        var training = await DatasetWithAsync("training", "1.2.95.1", "1.2.95.2");
        var feedback = await DatasetWithAsync("feedback", "1.2.95.1");

        var cases = await StudyCasesAsync("1.2.95.1");

        Assert.Equal(2, cases["totalCount"]!.GetValue<int>());
        Assert.Equal([training, feedback], cases["items"]!.AsArray().Select(item => item!["dataset"]!["id"]!.GetValue<string>()));
        Assert.All(cases["items"]!.AsArray(), item => Assert.Equal("1.2.95.1", item!["studyInstanceUid"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_study_in_no_dataset_has_no_cases()
    {
        await ArchivedStudies.StoreAsync(api.Client, "1.2.96.1");
        await DatasetWithAsync("training", "1.2.96.1");

        var cases = await StudyCasesAsync("1.2.96.2");

        Assert.Equal(0, cases["totalCount"]!.GetValue<int>());
        Assert.Empty(cases["items"]!.AsArray());
    }
}
