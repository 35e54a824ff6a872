using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.Demo;

/// <summary>A signed-in user of the platform (annotator, radiologist or ML engineer), talking to the gateway as the web
/// app does: GraphQL, the blob store and DICOMweb, with their own access token.</summary>
public sealed class Person(string name, HttpClient http) : IDisposable
{
    public string Name { get; } = name;

    public HttpClient Http { get; } = http;

    /// <summary>The operation's data; a GraphQL error as an <see cref="InvalidOperationException"/> with its code and message.</summary>
    public async Task<JsonElement> GraphQLAsync(string query, object? variables, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync(new Uri("graphql", UriKind.Relative), new { query, variables }, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && !text.StartsWith('{'))
        {
            throw new InvalidOperationException($"{Name}: the gateway answered {(int)response.StatusCode} to {query}: {text}");
        }
        var body = JsonDocument.Parse(text).RootElement;
        return body.TryGetProperty("errors", out var errors)
            ? throw new InvalidOperationException($"{Name}: {query} answered {errors}")
            : body.GetProperty("data").Clone();
    }

    /// <summary>Uploads bytes to labeling's content-addressed blob store; their digest.</summary>
    public async Task<string> UploadBlobAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await Http.PostAsync(new Uri("blobs", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(answer).RootElement.GetProperty("digest").GetString()!
            : throw new InvalidOperationException($"{Name}: the blob store answered {(int)response.StatusCode}: {answer}");
    }

    public void Dispose() => Http.Dispose();
}
