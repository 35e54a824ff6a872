using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests;

/// <summary>
/// One PostgreSQL cluster and one labeling host per test class; each test starts from empty tables
/// (<see cref="ResetAsync"/>), and talks to the host only through HTTP <c>/graphql</c>.
/// </summary>
public sealed class LabelingApi : IAsyncLifetime
{
    private PostgresCluster? _postgres;
    private LabelingHost? _host;

    public HttpClient Client { get; private set; } = null!;

    public LabelingHost Host => _host ?? throw new InvalidOperationException("The fixture has not started.");

    public PostgresCluster Postgres => _postgres ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        _postgres = await PostgresCluster.CreateAsync();
        _host = new LabelingHost(_postgres);
        Client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>The digest the blob store names <paramref name="content"/> by.</summary>
    public static string DigestOf(string content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    /// <summary>Stores <paramref name="content"/> as a blob (a mask, say), as a client does before naming it in a label.</summary>
    public Task<string> StoreBlobAsync(string content) => StoreBlobAsync(Client, content);

    public static async Task<string> StoreBlobAsync(HttpClient client, string content)
    {
        using var stored = await client.PostAsync(new Uri("/blobs", UriKind.Relative), new StringContent(content));
        stored.EnsureSuccessStatusCode();
        return DigestOf(content);
    }

    public Task ResetAsync() => Host.Services.GetRequiredService<IDocumentStore>().Advanced.ResetAllData();

    public Task<GraphQLResponse> PostAsync(string query, object? variables = null) => PostAsync(Client, query, variables);

    public static Task<GraphQLResponse> PostAsync(HttpClient client, string query, object? variables = null) =>
        PostAsAsync(client, null, query, variables);

    /// <summary>Posts as <paramref name="user"/> with its roles (the development identity headers); null posts as the default caller.</summary>
    public Task<GraphQLResponse> PostAsAsync((string Name, string Roles)? user, string query, object? variables = null) =>
        PostAsAsync(Client, user, query, variables);

    public static async Task<GraphQLResponse> PostAsAsync(HttpClient client, (string Name, string Roles)? user, string query, object? variables = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        if (user is { } caller)
        {
            request.Headers.Add("X-Cl2-User", caller.Name);
            request.Headers.Add("X-Cl2-Roles", caller.Roles);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/graphql-response+json"));
        using var response = await client.SendAsync(request);
        return await GraphQLResponse.ReadAsync(response);
    }

    /// <summary>A version of <paramref name="modelId"/> with no metrics on the stored blob <paramref name="digest"/>; its id.</summary>
    public async Task<string> RegisterModelVersionAsync(string modelId, string digest) =>
        (await RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:1" } }))
            ["registerModelVersion"]!["id"]!.GetValue<string>();

    /// <summary>A model of a fresh name with v1 in production and a candidate v2, both on the stored blob <paramref name="digest"/>.</summary>
    public async Task<(string ModelId, string V1, string V2)> ModelWithCandidateAsync(string digest)
    {
        var modelId = (await RunAsync($$"""mutation { registerModel(input: { name: "liver-{{Guid.NewGuid():N}}", task: "liver-ct" }) { id } }"""))
            ["registerModel"]!["id"]!.GetValue<string>();
        var v1 = await RegisterModelVersionAsync(modelId, digest);
        var v2 = await RegisterModelVersionAsync(modelId, digest);
        await RunAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId = v1, expectedVersion = await ModelVersionAsync(modelId) } });
        return (modelId, v1, v2);
    }

    /// <summary>The model's version (its event count), which promotions, rollbacks and retirements name as expectedVersion.</summary>
    public async Task<int> ModelVersionAsync(string modelId) =>
        (await RunAsync("query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))["model"]!["version"]!.GetValue<int>();

    /// <summary>Posts and insists on success: no errors, and returns <c>data</c>.</summary>
    public Task<JsonNode> RunAsync(string query, object? variables = null) => RunAsAsync(null, query, variables);

    public async Task<JsonNode> RunAsAsync((string Name, string Roles)? user, string query, object? variables = null)
    {
        var response = await PostAsAsync(user, query, variables);
        Assert.True(response.Errors is null, $"GraphQL errors: {response.Body}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Data!;
    }
}

public sealed record GraphQLResponse(HttpStatusCode Status, string? MediaType, string Body, JsonNode? Root)
{
    public JsonNode? Data => Root?["data"];

    public JsonArray? Errors => Root?["errors"]?.AsArray();

    public string? FirstErrorCode => Errors?[0]?["extensions"]?["code"]?.GetValue<string>();

    public static async Task<GraphQLResponse> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        JsonNode? root;
        try
        {
            root = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (JsonException)
        {
            root = null;
        }
        return new GraphQLResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, root);
    }
}
