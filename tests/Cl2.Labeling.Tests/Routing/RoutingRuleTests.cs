using System.Text.Json.Nodes;
using Cl2.Labeling.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests.Routing;

/// <summary>The routing table through GraphQL on a real PostgreSQL: each change an event on one stream, decided on the
/// table version the caller saw.</summary>
public sealed class RoutingRuleTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Save =
        "mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version rules { id name ruleVersion workload modelName modality seriesDescription minInstances } } }";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static object Rule(int expectedVersion, string name = "brain MR", string workload = "pass-through", string? modelName = null,
        string? seriesDescription = null, Guid? ruleId = null, string modality = "MR") =>
        new { input = new { ruleId, name, priority = 10, workload, modelName, modality, seriesDescription, minInstances = 1, expectedVersion } };

    [Fact]
    public async Task a_changed_rule_keeps_its_id_with_its_next_rule_version()
    {
        var added = (await api.RunAsync(Save, Rule(0, seriesDescription: "(?i)flair")))["saveRoutingRule"]!;
        var ruleId = added["rules"]![0]!["id"]!.GetValue<string>();

        var changed = (await api.RunAsync(Save, Rule(1, name: "brain MR, renamed", ruleId: Guid.Parse(ruleId))))["saveRoutingRule"]!;

        Assert.Equal(2, changed["version"]!.GetValue<int>());
        var rule = Assert.Single(changed["rules"]!.AsArray())!;
        Assert.Equal((ruleId, "brain MR, renamed", 2), (rule["id"]!.GetValue<string>(), rule["name"]!.GetValue<string>(), rule["ruleVersion"]!.GetValue<int>()));
        var listed = (await api.RunAsAsync(("inference", "service"), "{ routingRules { version rules { name modality } } }"))["routingRules"]!;
        Assert.Equal(2, listed["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_change_decided_on_an_older_table_version_is_refused_as_a_conflict()
    {
        await api.RunAsync(Save, Rule(0, name: "first"));
        await api.RunAsync(Save, Rule(1, name: "second"));

        var stale = await api.PostAsync(Save, Rule(1, name: "third"));

        Assert.Equal("ROUTING_TABLE_CONFLICT", stale.FirstErrorCode);
        Assert.Equal(2, stale.Errors![0]!["extensions"]!["data"]!["currentVersion"]!.GetValue<int>());
        var names = (await api.RunAsync("{ routingRules { rules { name } } }"))["routingRules"]!["rules"]!.AsArray().Select(rule => rule!["name"]!.GetValue<string>());
        Assert.Equal(["first", "second"], names);
    }

    [Fact]
    public async Task two_engineers_saving_on_the_same_version_at_once_get_one_change_in()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(index => api.PostAsync(Save, Rule(0, name: $"rule {index}"))));

        Assert.Single(answers, answer => answer.Errors is null);
        Assert.All(answers.Where(answer => answer.Errors is not null), answer => Assert.Equal("ROUTING_TABLE_CONFLICT", answer.FirstErrorCode));
        Assert.Single((await api.RunAsync("{ routingRules { rules { name } } }"))["routingRules"]!["rules"]!.AsArray());
    }

    [Fact]
    public async Task a_series_description_that_is_not_a_regular_expression_is_refused_on_save()
    {
        var refused = await api.PostAsync(Save, Rule(0, seriesDescription: "t2 (flair"));

        Assert.Equal("ROUTING_PATTERN_INVALID", refused.FirstErrorCode);
        Assert.Contains("t2 (flair", refused.Errors![0]!["message"]!.GetValue<string>());
        Assert.Equal(0, (await api.RunAsync("{ routingRules { version } }"))["routingRules"]!["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_series_description_with_runaway_backtracking_is_refused_on_save()
    {
        var refused = await api.PostAsync(Save, Rule(0, seriesDescription: "^(a|aa)+$"));

        Assert.Equal("ROUTING_PATTERN_INVALID", refused.FirstErrorCode);
        Assert.Contains("simplify it", refused.Errors![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_rule_naming_a_model_of_another_task_is_refused()
    {
        await api.RunAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }""");

        var refused = await api.PostAsync(Save, Rule(0, workload: "brain-mri", modelName: "liver"));
        var unknown = await api.PostAsync(Save, Rule(0, workload: "brain-mri", modelName: "nobody"));
        var accepted = await api.RunAsync(Save, Rule(0, workload: "liver-ct", modelName: "liver", modality: "CT"));

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Contains("liver-ct model", refused.Errors![0]!["message"]!.GetValue<string>());
        Assert.Equal("MODEL_NOT_FOUND", unknown.FirstErrorCode);
        Assert.Equal("liver", accepted["saveRoutingRule"]!["rules"]![0]!["modelName"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_deleted_rule_leaves_the_table_and_its_history_stays_in_the_stream()
    {
        var ruleId = (await api.RunAsync(Save, Rule(0)))["saveRoutingRule"]!["rules"]![0]!["id"]!.GetValue<string>();

        var deleted = (await api.RunAsync("mutation($input: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $input) { version rules { id } } }",
            new { input = new { ruleId, expectedVersion = 1 } }))["deleteRoutingRule"]!;
        var again = await api.PostAsync("mutation($input: DeleteRoutingRuleInput!) { deleteRoutingRule(input: $input) { version } }",
            new { input = new { ruleId, expectedVersion = 2 } });

        Assert.Equal(2, deleted["version"]!.GetValue<int>());
        Assert.Empty(deleted["rules"]!.AsArray());
        Assert.Equal("ROUTING_RULE_NOT_FOUND", again.FirstErrorCode);
        await using var session = api.Host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(RoutingTable.StreamId);
        Assert.Equal([typeof(RoutingRuleSaved), typeof(RoutingRuleDeleted)], events.Select(e => e.EventType));
    }

    [Fact]
    public async Task an_annotator_can_neither_read_nor_change_the_routing_table()
    {
        var read = await api.PostAsAsync(("ann", "annotator"), "{ routingRules { version } }");
        var saved = await api.PostAsAsync(("ann", "annotator"), Save, Rule(0));
        var byService = await api.PostAsAsync(("inference", "service"), Save, Rule(0));

        Assert.All(new[] { read, saved, byService }, answer => Assert.Equal("FORBIDDEN", answer.FirstErrorCode));
    }
}
