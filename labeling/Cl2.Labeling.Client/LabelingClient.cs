using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cl2.Labeling.Client;

/// <summary>Typed access to labeling's GraphQL API (GraphQL-over-HTTP, POST with JSON).</summary>
public sealed class LabelingClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TData> QueryAsync<TData>(string query, object? variables = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "graphql")
        {
            Content = JsonContent.Create(new GraphQLRequest(query, variables), options: Json),
        };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<GraphQLResponse<TData>>(Json, cancellationToken);
        if (body?.Errors is { Count: > 0 } errors)
        {
            throw new LabelingApiException(errors);
        }
        response.EnsureSuccessStatusCode();
        return body is { Data: not null } ? body.Data : throw new LabelingApiException([new GraphQLError("The response had no data.", null)]);
    }

    private sealed record GraphQLRequest(string Query, object? Variables);

    private sealed record GraphQLResponse<TData>(TData? Data, IReadOnlyList<GraphQLError>? Errors);
}

public sealed record GraphQLError(string Message, IReadOnlyDictionary<string, JsonElement>? Extensions)
{
    /// <summary>The stable error code labeling puts in <c>extensions.code</c>.</summary>
    [JsonIgnore]
    public string? Code => Extensions is not null && Extensions.TryGetValue("code", out var code) ? code.GetString() : null;
}

public sealed class LabelingApiException(IReadOnlyList<GraphQLError> errors)
    : Exception(string.Join("; ", errors.Select(error => error.Code is null ? error.Message : $"{error.Code}: {error.Message}")))
{
    public IReadOnlyList<GraphQLError> Errors { get; } = errors;
}
