using System.Net;
using System.Text.Json;

namespace Cl2.Labeling.Tests;

public sealed class ReadinessTests
{
    [Fact]
    public async Task labeling_is_not_ready_while_postgres_is_down_and_ready_again_when_it_is_back_without_a_restart()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres);
        using var client = host.CreateClient();

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        await postgres.StopAsync();
        var down = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        var report = JsonDocument.Parse(await down.Content.ReadAsStringAsync()).RootElement;
        var check = report.GetProperty("checks").EnumerateArray().Single(entry => entry.GetProperty("name").GetString() == "postgres");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("PostgreSQL does not answer", check.GetProperty("description").GetString(), StringComparison.Ordinal);

        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        await postgres.StartAsync();
        var back = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task labeling_starts_while_postgres_is_down_and_creates_its_tables_on_first_use_once_it_is_back()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await postgres.StopAsync();
        await using var host = new LabelingHost(postgres);
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        var whileDown = await LabelingApi.PostAsync(client, "{ datasets { totalCount } }");
        Assert.NotNull(whileDown.Errors);

        await postgres.StartAsync();
        var created = await LabelingApi.PostAsync(client, """mutation { createDataset(input: { name: "after the outage" }) { id } }""");
        Assert.True(created.Errors is null, created.Body);
        var listed = await LabelingApi.PostAsync(client, "{ datasets { totalCount } }");
        Assert.Equal(1, listed.Data!["datasets"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public void labeling_refuses_to_start_without_a_connection_string_and_says_which_setting_is_missing()
    {
        var error = Assert.ThrowsAny<Exception>(() => FailingStart.Run(() =>
        {
            using var host = new WebApplicationFactoryWithoutDatabase();
            using var client = host.CreateClient();
        }));
        Assert.Contains("Postgres:ConnectionString is required", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class WebApplicationFactoryWithoutDatabase : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>;
}
