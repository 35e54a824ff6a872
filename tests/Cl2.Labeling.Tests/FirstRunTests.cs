using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
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

    /// <summary>
    /// Replicas started together on a database labeling has never seen take turns creating the tables (PostgreSQL's DDL
    /// collides when two sessions run it at once): each is ready, none logged that its tables could not be made, and a
    /// first archive search on every replica at once finds the archive's table made once.
    /// </summary>
    [Fact]
    public async Task replicas_started_together_on_a_fresh_database_each_make_or_find_the_tables_without_a_collision()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var logs = Enumerable.Range(0, 4).Select(_ => new RecordedLogs()).ToArray();
        var replicas = logs.Select(log => new LabelingHost(postgres)).ToArray();
        var logged = replicas.Zip(logs, (replica, log) => replica.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(log)))).ToArray();
        try
        {
            var clients = await Task.WhenAll(logged.Select(replica => Task.Run(() => replica.CreateClient())));

            foreach (var client in clients)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
            }
            var searches = await Task.WhenAll(clients.Select(client => client.GetAsync(new Uri("/dicomweb/studies", UriKind.Relative))));
            Assert.All(searches, search => Assert.True(search.IsSuccessStatusCode, $"{search.StatusCode}: {search.Content.ReadAsStringAsync().Result}"));
            var warnings = logs.SelectMany(log => log.Lines).Where(line => line.Level >= LogLevel.Warning && line.Category.Contains("Database", StringComparison.Ordinal));
            Assert.Empty(warnings.Select(line => $"{line.Category}: {line.Message}"));
        }
        finally
        {
            foreach (var replica in logged.Concat<IAsyncDisposable>(replicas))
            {
                await replica.DisposeAsync();
            }
        }
    }
}
