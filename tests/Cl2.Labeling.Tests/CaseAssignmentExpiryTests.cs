using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>nextCase's hold on a case, on a host whose holds last one second.</summary>
public sealed class CaseAssignmentExpiryTests : IAsyncLifetime
{
    private PostgresCluster? _postgres;
    private LabelingHost? _host;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresCluster.CreateAsync();
        _host = new LabelingHost(_postgres, settings: new Dictionary<string, string> { ["Cases:AssignmentSeconds"] = "1" });
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host!.DisposeAsync();
        await _postgres!.DisposeAsync();
    }

    private async Task<JsonNode> RunAsync((string Name, string Roles)? user, string query, object? variables = null)
    {
        var response = await LabelingApi.PostAsAsync(_client, user, query, variables);
        Assert.True(response.Errors is null, response.Body);
        return response.Data!;
    }

    private async Task<string> DatasetWithOneCaseAsync()
    {
        var dataset = (await RunAsync(null, """mutation { createDataset(input: { name: "held" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(_client, "1.2.90.1");
        await RunAsync(null, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { "1.2.90.1" } } });
        return dataset;
    }

    private async Task<string?> NextAsync(string annotator, string dataset) =>
        (await RunAsync((annotator, "annotator"), "query($dataset: ID!) { nextCase(dataset: $dataset) { id } }", new { dataset }))["nextCase"]?["id"]?.GetValue<string>();

    [Fact]
    public async Task an_expired_assignment_is_handed_to_the_next_annotator_who_asks()
    {
        var dataset = await DatasetWithOneCaseAsync();
        var held = await NextAsync("ann", dataset);
        Assert.NotNull(held);

        string? handed = null;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (handed is null && !patience.IsCancellationRequested)
        {
            await Task.Delay(250);
            handed = await NextAsync("bob", dataset);
        }

        Assert.Equal(held, handed);
    }

    [Fact]
    public async Task a_released_case_is_handed_to_the_next_annotator()
    {
        var dataset = await DatasetWithOneCaseAsync();
        // Holds last a second here, so "held" is checked right after the hand-out, with a fresh annotator asking.
        var held = await NextAsync("ann", dataset);

        var released = (await RunAsync(("ann", "annotator"), "mutation($input: ReleaseCaseInput!) { releaseCase(input: $input) { assignedTo } }",
            new { input = new { caseId = held } }))["releaseCase"]!;

        Assert.Null(released["assignedTo"]);
        Assert.Equal(held, await NextAsync("bob", dataset));
    }

    [Fact]
    public async Task an_annotator_cannot_release_a_case_someone_else_holds()
    {
        var dataset = await DatasetWithOneCaseAsync();
        var held = await NextAsync("ann", dataset);

        var refused = await LabelingApi.PostAsAsync(_client, ("bob", "annotator"),
            "mutation($input: ReleaseCaseInput!) { releaseCase(input: $input) { assignedTo } }", new { input = new { caseId = held } });

        Assert.Equal("CASE_ASSIGNED_TO_SOMEONE_ELSE", refused.FirstErrorCode);
    }
}
