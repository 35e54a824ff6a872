using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;

namespace Cl2.Labeling.Tests;

public sealed class GraphQLOverHttpTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<GraphQLResponse> GetAsync(string query, string accept = "application/graphql-response+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql?query=" + Uri.EscapeDataString(query));
        request.Headers.Accept.ParseAdd(accept);
        using var response = await api.Client.SendAsync(request);
        return await GraphQLResponse.ReadAsync(response);
    }

    private async Task<GraphQLResponse> PostRawAsync(string body, string contentType)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await api.Client.PostAsync(new Uri("/graphql", UriKind.Relative), content);
        return await GraphQLResponse.ReadAsync(response);
    }

    [Fact]
    public async Task a_query_over_get_answers_with_the_graphql_response_media_type()
    {
        var response = await GetAsync("{ datasets { totalCount } }");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/graphql-response+json", response.MediaType);
        Assert.Equal(0, response.Data!["datasets"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_mutation_over_get_is_refused_with_405_and_nothing_is_stored()
    {
        var response = await GetAsync("""mutation { createDataset(input: { name: "sneaky" }) { id } }""");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
        Assert.Equal("REQUEST_METHOD_NOT_ALLOWED", response.FirstErrorCode);
        var datasets = await api.RunAsync("{ datasets { totalCount } }");
        Assert.Equal(0, datasets["datasets"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_query_that_assigns_work_is_refused_over_get_even_through_a_fragment_and_assigns_nothing()
    {
        var dataset = (await api.RunAsync("""mutation { createDataset(input: { name: "queue" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, "1.2.3.4");
        await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { "1.2.3.4" } } });

        foreach (var query in new[]
        {
            $$"""{ nextCase(dataset: "{{dataset}}") { id } }""",
            $$"""{ datasets { totalCount } ...work } fragment work on Query { next: nextCase(dataset: "{{dataset}}") { id } }""",
        })
        {
            var response = await GetAsync(query);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
            Assert.Equal("REQUEST_METHOD_NOT_ALLOWED", response.FirstErrorCode);
            Assert.Contains("'nextCase' changes state", response.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var cases = await api.RunAsync("query($dataset: ID!) { cases(dataset: $dataset) { items { assignedTo } } }", new { dataset });
        Assert.Null(Assert.Single(cases["cases"]!["items"]!.AsArray())!["assignedTo"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("{ datasets { totalCount } }")).Status);
    }

    [Fact]
    public async Task a_post_that_is_not_json_is_refused_with_415_and_malformed_json_with_400()
    {
        var notJson = await PostRawAsync("{ datasets { totalCount } }", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.Status);

        var malformed = await PostRawAsync("""{"query": "{ datasets { totalCount } }" """, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        Assert.Equal("REQUEST_INVALID", malformed.FirstErrorCode);

        var noQuery = await PostRawAsync("""{"variables": {}}""", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, noQuery.Status);
    }

    [Fact]
    public async Task a_document_that_does_not_parse_or_validate_is_a_400_with_the_reason()
    {
        var syntax = await api.PostAsync("{ datasets { totalCount ");
        Assert.Equal(HttpStatusCode.BadRequest, syntax.Status);
        Assert.Null(syntax.Data);
        Assert.NotNull(syntax.FirstErrorCode);

        var unknownField = await api.PostAsync("{ datasets { noSuchField } }");
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.Status);
        Assert.Contains("noSuchField", unknownField.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_query_deeper_than_the_limit_is_refused_before_it_runs_with_a_code()
    {
        // case → dataset → … nests without end in the schema; 8 round trips put it well past the default depth of 12.
        var nested = "labelHistory { case { dataset { id } } }";
        for (var level = 0; level < 8; level++)
        {
            nested = $"labelHistory {{ case {{ {nested} }} }}";
        }
        var response = await api.PostAsync($"query($id: ID!) {{ case(id: $id) {{ {nested} }} }}", new { id = Guid.NewGuid() });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Null(response.Data);
        Assert.Equal("QUERY_TOO_DEEP", response.FirstErrorCode);
        Assert.Contains("depth", response.Errors![0]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task a_client_that_accepts_only_json_gets_the_legacy_200_for_an_invalid_document()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent("""{"query": "{ datasets { noSuchField } }"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task other_methods_are_refused_with_405_and_an_allow_header()
    {
        using var response = await api.Client.PutAsync(new Uri("/graphql", UriKind.Relative), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task introspection_can_be_turned_off()
    {
        const string Introspection = "{ __schema { queryType { name } } }";
        Assert.Null((await api.PostAsync(Introspection)).Errors);

        await using var closed = api.Host.WithWebHostBuilder(builder => builder.UseSetting("GraphQL:EnableIntrospection", "false"));
        using var client = closed.CreateClient();
        var refused = await LabelingApi.PostAsync(client, Introspection);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.NotNull(refused.FirstErrorCode);
    }
}
