namespace Cl2.Labeling.Tests;

public sealed class NextCaseTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<GraphQLResponse> NextAsync(string annotator, string dataset) =>
        api.PostAsAsync((annotator, "annotator"), "query($dataset: ID!) { nextCase(dataset: $dataset) { id assignedTo } }", new { dataset });

    [Fact]
    public async Task next_case_of_a_dataset_that_does_not_exist_is_dataset_not_found_not_all_done()
    {
        var missing = await NextAsync("ann", Guid.NewGuid().ToString());

        Assert.Equal("DATASET_NOT_FOUND", missing.FirstErrorCode);
    }

    [Fact]
    public async Task an_id_that_is_not_a_uuid_is_refused_as_not_a_valid_id()
    {
        var response = await api.PostAsync("{ dataset(id: \"nope\") { id } }");

        Assert.Equal("INVALID_INPUT", response.FirstErrorCode);
        Assert.Contains("id 'nope' is not a valid id", response.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task annotators_asking_at_once_never_get_the_same_case_and_each_keeps_theirs_until_it_is_labelled()
    {
        var dataset = (await api.RunAsync("""mutation { createDataset(input: { name: "queue" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        var studies = Enumerable.Range(1, 12).Select(index => $"1.2.840.{index}").ToArray();
        await ArchivedStudies.StoreAsync(api.Client, studies);
        await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = studies } });

        var annotators = Enumerable.Range(0, 20).Select(index => $"annotator-{index}").ToList();
        var answers = await Task.WhenAll(annotators.Select(annotator => NextAsync(annotator, dataset)));

        Assert.All(answers, answer => Assert.True(answer.Errors is null, answer.Body));
        var handed = answers.Select((answer, index) => (Annotator: annotators[index], Case: answer.Data!["nextCase"]))
            .Where(entry => entry.Case is not null).ToList();
        Assert.Equal(12, handed.Count);
        Assert.Equal(12, handed.Select(entry => entry.Case!["id"]!.GetValue<string>()).Distinct().Count());
        Assert.All(handed, entry => Assert.Equal(entry.Annotator, entry.Case!["assignedTo"]!.GetValue<string>()));

        var (annotator, held) = handed[0];
        var again = await NextAsync(annotator, dataset);
        Assert.Equal(held!["id"]!.GetValue<string>(), again.Data!["nextCase"]!["id"]!.GetValue<string>());
        var assigned = await api.RunAsync("query($dataset: ID!) { cases(dataset: $dataset, assignedTo: \"annotator-0\") { totalCount } }", new { dataset });
        Assert.Equal(handed.Any(entry => entry.Annotator == "annotator-0") ? 1 : 0, assigned["cases"]!["totalCount"]!.GetValue<int>());
    }
}
