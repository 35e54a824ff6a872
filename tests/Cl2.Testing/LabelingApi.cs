using System.Formats.Tar;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.Testing;

/// <summary>
/// Labeling's GraphQL API and blob store as the test platforms call them (<see cref="ServingPlatform"/>,
/// <see cref="InferenceReplicas"/>): <paramref name="http"/>'s base address is labeling, or the gateway in front of it.
/// </summary>
public static class LabelingApi
{
    /// <summary>A GraphQL operation's <c>data</c>; its errors as an <see cref="InvalidOperationException"/>, an answer that is not
    /// GraphQL's as an <see cref="HttpRequestException"/>.</summary>
    public static async Task<JsonElement> GraphQLAsync(HttpClient http, string query, object? variables = null, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(new Uri("graphql", UriKind.Relative), new { query, variables }, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) != true)
        {
            // Not GraphQL's answer but a proxy's (a gateway whose labeling replica just died): an HTTP failure, which waits retry.
            throw new HttpRequestException($"{(int)response.StatusCode} from {http.BaseAddress}graphql: {text}", null, response.StatusCode);
        }
        var body = JsonDocument.Parse(text).RootElement;
        return body.TryGetProperty("errors", out var errors) ? throw new InvalidOperationException($"{query}: {errors}") : body.GetProperty("data").Clone();
    }

    public static async Task<string> RegisterModelAsync(HttpClient http, string name, string task, CancellationToken cancellationToken = default) =>
        (await GraphQLAsync(http, "mutation($name: String!, $task: String!) { registerModel(input: { name: $name, task: $task }) { id } }", new { name, task },
            cancellationToken).ConfigureAwait(false)).GetProperty("registerModel").GetProperty("id").GetString()!;

    /// <summary>The model folder (<c>weights.bin</c> + <c>manifest.json</c>) uploaded to labeling's blob store as one tar (written
    /// in <paramref name="workFolder"/>), as the training worker uploads a checkpoint, and registered as the model's next
    /// version with <paramref name="metrics"/>; its id.</summary>
    public static async Task<string> RegisterVersionAsync(HttpClient http, string modelId, string modelFolder, IReadOnlyDictionary<string, double> metrics,
        string workFolder, CancellationToken cancellationToken = default)
    {
        var tar = Path.Combine(workFolder, Guid.NewGuid().ToString("N") + ".tar");
        await TarFile.CreateFromDirectoryAsync(modelFolder, tar, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(tar, cancellationToken).ConfigureAwait(false));
        content.Headers.ContentType = new("application/octet-stream");
        using var uploaded = await http.PostAsync(new Uri("blobs", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var answer = await uploaded.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!uploaded.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"labeling refused the checkpoint: {(int)uploaded.StatusCode} {answer}");
        }
        var digest = JsonDocument.Parse(answer).RootElement.GetProperty("digest").GetString()!;
        return (await GraphQLAsync(http, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }", new
        {
            input = new
            {
                modelId,
                metrics = metrics.Select(metric => new { name = metric.Key, value = metric.Value }).ToArray(),
                artifactDigest = digest,
                dataDigest = digest,
                codeVersion = "git:e2e",
            },
        }, cancellationToken).ConfigureAwait(false)).GetProperty("registerModelVersion").GetProperty("id").GetString()!;
    }

    public static async Task PromoteAsync(HttpClient http, string modelId, string versionId, CancellationToken cancellationToken = default)
    {
        var version = (await GraphQLAsync(http, "query($id: ID!) { model(id: $id) { version } }", new { id = modelId }, cancellationToken).ConfigureAwait(false))
            .GetProperty("model").GetProperty("version").GetInt32();
        await GraphQLAsync(http, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = version } }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a routing rule sending studies with a series of <paramref name="modality"/> to <paramref name="workload"/>
    /// (and <paramref name="modelName"/>'s production version; none for pass-through).</summary>
    public static async Task SaveRoutingRuleAsync(HttpClient http, string name, string workload, string? modelName, string modality,
        CancellationToken cancellationToken = default)
    {
        var table = (await GraphQLAsync(http, "{ routingRules { version } }", cancellationToken: cancellationToken).ConfigureAwait(false))
            .GetProperty("routingRules").GetProperty("version").GetInt32();
        await GraphQLAsync(http, "mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name, priority = 1, workload, modelName, modality, expectedVersion = table } }, cancellationToken).ConfigureAwait(false);
    }
}
