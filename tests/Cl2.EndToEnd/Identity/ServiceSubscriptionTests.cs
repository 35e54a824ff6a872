using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cl2.EndToEnd.Identity;

/// <summary>
/// With sign-in on, a service's subscriptions carry its token as its HTTP calls do: inference hears <c>modelPromoted</c>
/// and serves a promoted version with the next study, rather than after <c>Inference:Serving:PollInterval</c>.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class ServiceSubscriptionTests(SignedInPlatform platform)
{
    [Fact]
    public async Task inference_hears_a_promotion_through_its_signed_in_subscription()
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        using var artifact = await engineer.PostAsync(new Uri("blobs", UriKind.Relative), new ByteArrayContent(Encoding.UTF8.GetBytes("weights")));
        var digest = JsonDocument.Parse(await artifact.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).RootElement.GetProperty("digest").GetString();
        var modelId = (await DataAsync(engineer, "mutation { registerModel(input: { name: \"heard-promotion\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString();
        var versionId = (await DataAsync(engineer, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:1" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString();
        var expectedVersion = (await DataAsync(engineer, "query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))
            .GetProperty("model").GetProperty("version").GetInt32();

        await DataAsync(engineer, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { version } }",
            new { input = new { modelId, versionId, expectedVersion } });

        // Only the subscription writes this line (ProductionVersions); the poll that stands in while it is down does not.
        var inference = platform.Services.Single(service => service.Name.Contains("inference", StringComparison.OrdinalIgnoreCase));
        await Eventually.IsTrueAsync(() => Task.FromResult(inference.Output.Contains($"Version {versionId} of model {modelId} is in production", StringComparison.Ordinal)),
            platform.Services, "inference to hear the promotion through modelPromoted", timeoutSeconds: 60);
    }

    private static async Task<JsonElement> DataAsync(HttpClient http, string query, object? variables = null)
    {
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.TryGetProperty("errors", out var errors), $"{query}: {errors}");
        return body.GetProperty("data").Clone();
    }
}
