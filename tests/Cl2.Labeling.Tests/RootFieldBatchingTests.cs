namespace Cl2.Labeling.Tests;

/// <summary>Repeated by-id root fields in one request load together: one database round trip per document type.</summary>
public sealed class RootFieldBatchingTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task aliased_dataset_and_case_fields_load_in_one_round_trip_per_document_type()
    {
        var studies = Enumerable.Range(1, 10).Select(index => $"1.2.826.0.1.3680043.10.77.{index}").ToArray();
        await ArchivedStudies.StoreAsync(api.Client, studies);
        var datasetIds = new List<string>();
        var caseIds = new List<string>();
        foreach (var study in studies)
        {
            var datasetId = (await api.RunAsync("mutation($name: String!) { createDataset(input: { name: $name }) { id } }", new { name = study }))
                ["createDataset"]!["id"]!.GetValue<string>();
            datasetIds.Add(datasetId);
            caseIds.Add((await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
                new { input = new { datasetId, studyInstanceUids = new[] { study } } }))["addCases"]![0]!["id"]!.GetValue<string>());
        }
        var query = "{ " + string.Join(" ", datasetIds.Select((id, index) => $$"""d{{index}}: dataset(id: "{{id}}") { name }""")) + " "
            + string.Join(" ", caseIds.Select((id, index) => $$"""c{{index}}: case(id: "{{id}}") { studyInstanceUid }""")) + " }";

        using var commands = new DatabaseCommands(api.Postgres);
        var data = await api.RunAsync(query);

        Assert.Equal(studies, Enumerable.Range(0, 10).Select(index => data[$"d{index}"]!["name"]!.GetValue<string>()));
        Assert.Equal(studies, Enumerable.Range(0, 10).Select(index => data[$"c{index}"]!["studyInstanceUid"]!.GetValue<string>()));
        Assert.True((commands.Naming("mt_doc_dataset"), commands.Naming("mt_doc_case")) == (1, 1),
            $"Expected one query of each document table, got:\n{string.Join("\n", commands.All)}");
    }
}
