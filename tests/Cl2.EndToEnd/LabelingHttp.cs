using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Sdk;

namespace Cl2.EndToEnd;

/// <summary>Labeling over plain HTTP, as tests that start it with the development identity headers call it.</summary>
public static class LabelingHttp
{
    /// <summary>Whether <c>/health/ready</c> answers success (false while labeling is not listening yet).</summary>
    public static async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A GraphQL operation's <c>data</c>; its errors fail the test, quoting the operation.</summary>
    public static async Task<JsonElement> GraphQLAsync(HttpClient http, string query, object? variables = null)
    {
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.TryGetProperty("errors", out var errors) ? throw new XunitException($"{query} answered {errors}") : body.GetProperty("data").Clone();
    }
}
