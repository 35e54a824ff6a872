using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>Setting and clearing a model's shadow through GraphQL, against the real PostgreSQL.</summary>
public sealed class ShadowModeTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("weights");

    private const string Shadow = """
        mutation($input: ShadowModelVersionInput!) {
          shadowModelVersion(input: $input) { shadow { version { id number stage } shadowedBy shadowedAt } }
        }
        """;

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("weights");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(string ModelId, string V1, string V2)> RegistryAsync() => api.ModelWithCandidateAsync(Digest);

    private async Task<JsonNode?> ShadowOfAsync(string modelId) =>
        (await api.RunAsync("query($id: ID!) { model(id: $id) { shadow { version { id } shadowedBy } } }", new { id = modelId }))["model"]!["shadow"];

    [Fact]
    public async Task an_ml_engineer_runs_a_candidate_in_shadow()
    {
        var (modelId, _, v2) = await RegistryAsync();

        var shadow = (await api.RunAsync(Shadow, new { input = new { modelId, versionId = v2 } }))["shadowModelVersion"]!["shadow"]!;

        Assert.Equal((v2, "CANDIDATE"), (shadow["version"]!["id"]!.GetValue<string>(), shadow["version"]!["stage"]!.GetValue<string>()));
        Assert.Equal(v2, (await ShadowOfAsync(modelId))?["version"]?["id"]?.GetValue<string>());
    }

    [Fact]
    public async Task the_production_version_is_refused_as_a_shadow()
    {
        var (modelId, v1, _) = await RegistryAsync();

        var refused = await api.PostAsync(Shadow, new { input = new { modelId, versionId = v1 } });

        Assert.Equal("MODEL_STAGE_INVALID", refused.FirstErrorCode);
        Assert.Null(await ShadowOfAsync(modelId));
    }

    [Fact]
    public async Task an_unknown_version_is_refused_as_a_shadow()
    {
        var (modelId, _, _) = await RegistryAsync();

        var refused = await api.PostAsync(Shadow, new { input = new { modelId, versionId = Guid.NewGuid() } });

        Assert.Equal("MODEL_VERSION_NOT_FOUND", refused.FirstErrorCode);
    }

    [Fact]
    public async Task an_annotator_cannot_choose_a_shadow()
    {
        var (modelId, _, v2) = await RegistryAsync();

        var refused = await api.PostAsAsync(("ann", "annotator"), Shadow, new { input = new { modelId, versionId = v2 } });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
        Assert.Null(await ShadowOfAsync(modelId));
    }

    [Fact]
    public async Task promoting_the_shadow_ends_it()
    {
        var (modelId, _, v2) = await RegistryAsync();
        await api.RunAsync(Shadow, new { input = new { modelId, versionId = v2 } });

        await api.RunAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId = v2, expectedVersion = await api.ModelVersionAsync(modelId) } });

        Assert.Null(await ShadowOfAsync(modelId));
    }

    [Fact]
    public async Task a_cleared_shadow_stops_running()
    {
        var (modelId, _, v2) = await RegistryAsync();
        await api.RunAsync(Shadow, new { input = new { modelId, versionId = v2 } });

        var cleared = (await api.RunAsync("mutation($input: ClearModelShadowInput!) { clearModelShadow(input: $input) { shadow { version { id } } } }",
            new { input = new { modelId } }))["clearModelShadow"]!;

        Assert.Null(cleared["shadow"]);
        Assert.Null(await ShadowOfAsync(modelId));
    }
}
