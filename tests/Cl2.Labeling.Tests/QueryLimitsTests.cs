using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Cl2.Labeling.GraphQL;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Tests;

/// <summary>Requests that would cost the server far more than their size: each is refused early, with a code naming the limit.</summary>
public sealed class QueryLimitsTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    // Generous: a refused request takes milliseconds; the shapes below took seconds to minutes (or forever) before.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<GraphQLResponse> PostBoundedAsync(string query) => api.PostAsync(query).WaitAsync(Bound);

    /// <summary><c>query{...F0} fragment F0 on Query{...F1 ...F1} …</c>: 2^<paramref name="levels"/> copies of the last fragment once expanded.</summary>
    private static string FragmentBomb(int levels, string leaf)
    {
        var query = new StringBuilder("query { ...F0 }\n");
        for (var level = 0; level < levels; level++)
        {
            query.Append(System.Globalization.CultureInfo.InvariantCulture, $"fragment F{level} on Query {{ ...F{level + 1} ...F{level + 1} }}\n");
        }
        query.Append(System.Globalization.CultureInfo.InvariantCulture, $"fragment F{levels} on Query {{ {leaf} }}");
        return query.ToString();
    }

    [Fact]
    public async Task a_fragment_bomb_is_refused_as_too_complex_without_being_expanded()
    {
        var response = await PostBoundedAsync(FragmentBomb(40, "datasets { totalCount }"));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Null(response.Data);
        Assert.Equal("QUERY_TOO_COMPLEX", response.FirstErrorCode);
    }

    [Fact]
    public async Task a_fragment_spread_many_times_is_costed_like_its_expansion()
    {
        // 2^6 copies of one root field: cheap to run, and the estimate stays small because the copies merge into one field.
        var response = await PostBoundedAsync(FragmentBomb(6, "datasets { totalCount }"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(0, response.Data!["datasets"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_document_with_more_tokens_than_the_limit_is_refused_before_it_is_parsed()
    {
        var response = await PostBoundedAsync("{ " + string.Concat(Enumerable.Repeat("datasets { totalCount } ", 20_000)) + "}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("QUERY_TOO_LARGE", response.FirstErrorCode);
    }

    [Fact]
    public async Task a_document_with_more_fields_than_the_limit_is_refused_before_the_overlap_validation()
    {
        var response = await PostBoundedAsync("{ " + string.Concat(Enumerable.Repeat("__typename ", 5_000)) + "}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("TOO_MANY_FIELDS", response.FirstErrorCode);
    }

    [Fact]
    public async Task more_aliases_than_the_limit_are_refused()
    {
        var response = await PostBoundedAsync("{ " + string.Concat(Enumerable.Range(0, 100).Select(index => $"a{index}: datasets {{ totalCount }} ")) + "}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("TOO_MANY_ALIASES", response.FirstErrorCode);
    }

    [Fact]
    public async Task more_root_fields_than_the_limit_are_refused_even_through_fragments()
    {
        var aliases = string.Concat(Enumerable.Range(0, 15).Select(index => $"a{index}: datasets {{ totalCount }} "));
        var more = string.Concat(Enumerable.Range(15, 15).Select(index => $"a{index}: datasets {{ totalCount }} "));

        var response = await PostBoundedAsync($"query {{ {aliases} ...More }} fragment More on Query {{ {more} }}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("TOO_MANY_ROOT_FIELDS", response.FirstErrorCode);
    }

    [Fact]
    public async Task as_many_aliased_list_fields_as_a_request_may_ask_read_the_database_at_most_twice_each()
    {
        // Issue 14.6's probe (5,000 aliases of datasets { totalCount }, ~10,000 transactions) at the most the limits let through.
        var limits = api.Host.Services.GetRequiredService<IOptions<GraphQLOptions>>().Value;
        await api.RunAsync("mutation { createDataset(input: { name: \"aliased\" }) { id } }");
        var query = "{ " + string.Concat(Enumerable.Range(0, limits.MaxRootFields)
            .Select(index => $"a{index}: datasets(first: 100) {{ totalCount edges {{ node {{ id caseCount }} }} }} ")) + "}";

        using var commands = new DatabaseCommands(api.Postgres);
        var response = await PostBoundedAsync(query);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(limits.MaxRootFields, response.Data!.AsObject().Count);
        var reads = commands.All.Where(text => text.Contains("mt_doc_", StringComparison.Ordinal)).ToList();
        Assert.True(reads.Count <= 2 * limits.MaxRootFields, $"{reads.Count} document reads:\n{string.Join("\n", reads)}");
    }

    [Fact]
    public async Task each_root_field_counts_in_the_cost()
    {
        // 12 root fields are within MaxRootFields (20) but at RootFieldCost 5000 they cost more than MaxComplexity (50000).
        await using var host = api.Host.WithWebHostBuilder(builder => builder.UseSetting("GraphQL:RootFieldCost", "5000"));
        using var client = host.CreateClient();
        var within = await LabelingApi.PostAsync(client, "{ " + string.Concat(Enumerable.Range(0, 9).Select(index => $"a{index}: datasets {{ totalCount }} ")) + "}");
        var over = await LabelingApi.PostAsync(client, "{ " + string.Concat(Enumerable.Range(0, 12).Select(index => $"a{index}: datasets {{ totalCount }} ")) + "}");

        Assert.Equal(HttpStatusCode.OK, within.Status);
        Assert.Equal("QUERY_TOO_COMPLEX", over.FirstErrorCode);
    }

    [Fact]
    public async Task a_query_that_outlasts_the_time_budget_is_stopped_with_timeout()
    {
        await using var host = api.Host.WithWebHostBuilder(builder => builder.UseSetting("GraphQL:RequestTimeoutSeconds", "1"));
        using var client = host.CreateClient();
        // The host's first requests pay its start-up (Marten's schema check, the JIT) and may take longer than the budget.
        for (var attempt = 0; attempt < 10 && (await LabelingApi.PostAsync(client, "{ datasets { totalCount } }")).Errors is not null; attempt++)
        {
        }
        Assert.Null((await LabelingApi.PostAsync(client, "{ datasets { totalCount } }")).Errors);
        // A real wait in PostgreSQL: the datasets table is locked by another transaction until the test ends.
        var connectionString = host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Postgres:ConnectionString"];
        await using var admin = new Npgsql.NpgsqlConnection(connectionString);
        await admin.OpenAsync();
        await using var transaction = await admin.BeginTransactionAsync();
        await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE cl2.mt_doc_dataset IN ACCESS EXCLUSIVE MODE", admin, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var response = await LabelingApi.PostAsync(client, "{ datasets { totalCount } }").WaitAsync(Bound);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("TIMEOUT", response.FirstErrorCode);
    }

    [Fact]
    public async Task a_query_nested_past_what_the_parser_takes_is_a_400_with_a_typed_error_and_no_stack()
    {
        var nested = string.Concat(Enumerable.Repeat("a { ", 63)) + "b" + string.Concat(Enumerable.Repeat(" }", 63));

        var response = await PostBoundedAsync("{ " + nested + " }");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/graphql-response+json", response.MediaType);
        Assert.Equal("QUERY_TOO_DEEP", response.FirstErrorCode);
        Assert.DoesNotContain(".cs:line", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_graphiql_introspection_query_is_within_the_limits()
    {
        var response = await PostBoundedAsync(IntrospectionQuery);

        Assert.True(response.Errors is null, response.Body);
        Assert.Equal("Query", response.Data!["__schema"]!["queryType"]!["name"]!.GetValue<string>());
    }

    /// <summary>What GraphiQL 5 sends to load the schema (graphql-js 16's getIntrospectionQuery: TypeRef nests ofType nine levels).</summary>
    private const string IntrospectionQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
            ofType { kind name ofType { kind name } } } } } } } } }
        }
        """;
}
