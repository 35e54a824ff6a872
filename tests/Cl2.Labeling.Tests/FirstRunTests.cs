using System.Net;
using Npgsql;

namespace Cl2.Labeling.Tests;

/// <summary>What a new user does first, on a database labeling has never seen.</summary>
public sealed class FirstRunTests
{
    /// <summary>The query GraphiQL opens with (web/src/graphiql/main.ts).</summary>
    private const string GraphiQLDefaultQuery = "{ datasets(first: 10) { totalCount edges { node { id name caseCount } } } }";

    [Fact]
    public async Task the_first_dataset_on_a_fresh_database_answers_its_id_and_case_count()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres);
        using var client = host.CreateClient();

        var created = await LabelingApi.PostAsync(client, """mutation { createDataset(input: { name: "first" }) { id caseCount } }""");
        var listed = await LabelingApi.PostAsync(client, GraphiQLDefaultQuery);

        Assert.True(created.Errors is null, created.Body);
        Assert.Equal(0, created.Data!["createDataset"]!["caseCount"]!.GetValue<int>());
        Assert.True(listed.Errors is null, listed.Body);
        var node = listed.Data!["datasets"]!["edges"]![0]!["node"]!;
        Assert.Equal(created.Data!["createDataset"]!["id"]!.GetValue<string>(), node["id"]!.GetValue<string>());
        Assert.Equal(0, node["caseCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task labeling_creates_its_tables_when_it_starts()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres);
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand(
            "select count(*) from information_schema.tables where table_schema = 'cl2' and table_name in ('mt_doc_case', 'mt_doc_labelrevision', 'mt_events')",
            connection);
        Assert.Equal(3L, await tables.ExecuteScalarAsync());
    }
}
