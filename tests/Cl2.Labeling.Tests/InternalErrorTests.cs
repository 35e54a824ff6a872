using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cl2.Labeling.Tests;

public sealed class InternalErrorTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_database_failure_reaches_the_client_as_internal_with_a_correlation_id_the_log_has_and_no_database_details()
    {
        var logs = new RecordedLogs();
        await using var host = api.Host.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = host.CreateClient();
        // The table exists once it has been read; then a real PostgreSQL error (42P01) is forced by hiding it.
        Assert.Null((await LabelingApi.PostAsync(client, "{ datasets { totalCount } }")).Errors);
        var connectionString = host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Postgres:ConnectionString"];
        await using var admin = new NpgsqlConnection(connectionString);
        await admin.OpenAsync();
        await using (var hide = new NpgsqlCommand("ALTER TABLE cl2.mt_doc_dataset RENAME TO mt_doc_dataset_hidden", admin))
        {
            await hide.ExecuteNonQueryAsync();
        }
        GraphQLResponse response;
        try
        {
            response = await LabelingApi.PostAsync(client, "{ datasets { totalCount } }");
        }
        finally
        {
            await using var restore = new NpgsqlCommand("ALTER TABLE cl2.mt_doc_dataset_hidden RENAME TO mt_doc_dataset", admin);
            await restore.ExecuteNonQueryAsync();
        }

        var error = Assert.Single(response.Errors!)!;
        Assert.Equal("INTERNAL", error["extensions"]!["code"]!.GetValue<string>());
        var correlationId = error["extensions"]!["correlationId"]!.GetValue<string>();
        // PostgresException's Data (File, Line, Routine, SqlState …), its message, and any stack frame.
        foreach (var leak in new[] { "\"File\"", "\"Line\"", "\"Routine\"", "42P01", "mt_doc_dataset", "Npgsql", "Postgres", ".cs:line", "   at " })
        {
            Assert.DoesNotContain(leak, response.Body, StringComparison.Ordinal);
        }
        var logged = Assert.Single(logs.Lines, line => line.Message.Contains(correlationId, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, logged.Level);
        var postgresError = Assert.IsType<PostgresException>(logged.Exception is PostgresException ? logged.Exception : logged.Exception?.InnerException);
        Assert.Equal("42P01", postgresError.SqlState);
    }

    [Fact]
    public async Task an_exception_outside_graphql_execution_is_answered_as_graphql_internal_not_the_developer_page()
    {
        var logs = new RecordedLogs();
        await using var host = api.Host.WithWebHostBuilder(builder => builder
            .UseEnvironment("Development")
            .ConfigureLogging(logging => logging.AddProvider(logs))
            // A serializer that fails stands for any bug between reading the request and writing the answer.
            .ConfigureServices(services => services.AddSingleton<global::GraphQL.IGraphQLTextSerializer, FailingSerializer>()));
        using var client = host.CreateClient();

        var response = await LabelingApi.PostAsync(client, "{ datasets { totalCount } }");

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        Assert.Equal("application/graphql-response+json", response.MediaType);
        Assert.Equal("INTERNAL", response.FirstErrorCode);
        Assert.DoesNotContain("FailingSerializer", response.Body, StringComparison.Ordinal);
        var correlationId = response.Errors![0]!["extensions"]!["correlationId"]!.GetValue<string>();
        Assert.Contains(logs.Lines, line => line.Message.Contains(correlationId, StringComparison.Ordinal) && line.Exception is InvalidOperationException);
    }

    /// <summary>Reads requests like the real one and fails to read them once, then writes answers like the real one.</summary>
    private sealed class FailingSerializer : global::GraphQL.IGraphQLTextSerializer
    {
        private readonly global::GraphQL.SystemTextJson.GraphQLSerializer _real = new();
        private int _reads;

        public ValueTask<T?> ReadAsync<T>(Stream stream, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _reads) == 1 ? throw new InvalidOperationException("FailingSerializer broke on purpose") : _real.ReadAsync<T>(stream, cancellationToken);

        public Task WriteAsync<T>(Stream stream, T? value, CancellationToken cancellationToken = default) => _real.WriteAsync(stream, value, cancellationToken);

        public string Serialize<T>(T? value) => _real.Serialize(value);

        public T? Deserialize<T>(string? value) => _real.Deserialize<T>(value);

        public T? ReadNode<T>(object? value) => _real.ReadNode<T>(value);

        public bool IsNativelyAsync => _real.IsNativelyAsync;
    }
}
