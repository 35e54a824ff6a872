using System.Net;
using System.Text;

namespace Cl2.EndToEnd.Identity;

/// <summary>
/// Every surface through the gateway with real access tokens from its provider: GraphQL (query, mutation, subscription),
/// DICOMweb, blobs and the inference API answer 401 to nobody, 403 to a signed-in caller without the role, and work for
/// one with it.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class RoleMatrixTests(SignedInPlatform platform)
{
    private const string Query = "{ datasets(first: 1) { totalCount } }";
    private const string Mutation = "mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }";
    private const string Subscription = "subscription { trainingProgress { epoch } }";

    [Fact]
    public async Task a_caller_nobody_signed_in_gets_401_from_every_surface()
    {
        using var http = platform.Client(token: null);
        await using var socket = await GraphQLSocket.ConnectAsync(platform.Gateway, token: null);

        Assert.Equal("UNAUTHENTICATED", (await SignedInPlatform.GraphQLAsync(http, Query)).ErrorCode);
        Assert.Equal("UNAUTHENTICATED", (await SignedInPlatform.GraphQLAsync(http, Mutation, new { name = "anonymous" })).ErrorCode);
        Assert.Equal("UNAUTHENTICATED", await socket.SubscribeAsync(Subscription));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Get, "dicomweb/studies"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Post, "blobs", "mask"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Get, "api/inference/status"));
    }

    [Fact]
    public async Task a_caller_without_the_role_gets_403_from_every_surface()
    {
        using var visitor = platform.Client(await platform.UserTokenAsync(SignedInPlatform.Visitor));
        var annotatorToken = await platform.UserTokenAsync("annotator");
        using var annotator = platform.Client(annotatorToken);
        await using var socket = await GraphQLSocket.ConnectAsync(platform.Gateway, await platform.UserTokenAsync(SignedInPlatform.Visitor));

        Assert.Equal("FORBIDDEN", (await SignedInPlatform.GraphQLAsync(visitor, Query)).ErrorCode);
        Assert.Equal("FORBIDDEN", (await SignedInPlatform.GraphQLAsync(annotator, Mutation, new { name = "by-an-annotator" })).ErrorCode);
        Assert.Equal("FORBIDDEN", await socket.SubscribeAsync(Subscription));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(visitor, HttpMethod.Get, "dicomweb/studies"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(visitor, HttpMethod.Post, "blobs", "mask"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(annotator, HttpMethod.Get, "api/inference/status"));
    }

    [Fact]
    public async Task a_caller_with_the_role_is_served_by_every_surface()
    {
        var annotatorToken = await platform.UserTokenAsync("annotator");
        using var annotator = platform.Client(annotatorToken);
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        using var admin = platform.Client(await platform.UserTokenAsync("admin"));
        await using var socket = await GraphQLSocket.ConnectAsync(platform.Gateway, annotatorToken);

        var (datasets, queryError) = await SignedInPlatform.GraphQLAsync(annotator, Query);
        var (model, mutationError) = await SignedInPlatform.GraphQLAsync(engineer, Mutation, new { name = $"model-{Guid.NewGuid():N}" });

        Assert.Null(queryError);
        Assert.True(datasets.GetProperty("datasets").GetProperty("totalCount").GetInt32() >= 0);
        Assert.Null(mutationError);
        Assert.NotNull(model.GetProperty("registerModel").GetProperty("id").GetString());
        Assert.Null(await socket.SubscribeAsync(Subscription));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(annotator, HttpMethod.Get, "dicomweb/studies"));
        Assert.True((await StatusAsync(annotator, HttpMethod.Post, "blobs", "mask")) is HttpStatusCode.OK or HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin, HttpMethod.Get, "api/inference/status"));
    }

    [Fact]
    public async Task identity_headers_sent_through_the_gateway_sign_nobody_in()
    {
        using var forger = platform.Client(token: null);
        forger.DefaultRequestHeaders.Add("X-Cl2-User", "mallory");
        forger.DefaultRequestHeaders.Add("X-Cl2-Roles", "admin");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(forger, HttpMethod.Get, "api/inference/status"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(forger, HttpMethod.Get, "dicomweb/studies"));
        Assert.Equal("UNAUTHENTICATED", (await SignedInPlatform.GraphQLAsync(forger, Query)).ErrorCode);
    }

    [Fact]
    public async Task a_websocket_whose_connection_init_carries_a_token_that_is_not_valid_is_closed()
    {
        var token = await platform.UserTokenAsync("annotator");
        await using var socket = await GraphQLSocket.ConnectAsync(platform.Gateway, token[..^4] + "AAAA");

        while (await socket.ReceiveAsync() is not null)
        {
            // Nothing is acknowledged; the server closes.
        }

        Assert.Equal(4403, (int)socket.CloseStatus!.Value);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = new("application/octet-stream");
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
