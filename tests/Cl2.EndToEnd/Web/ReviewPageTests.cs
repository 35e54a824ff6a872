using System.Text.Json;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>The review page a PACS opens (<c>/review?study=…</c>): the newest inference result of the study, or why there
/// is none, and the radiologist's verdict recorded as feedback.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class ReviewPageTests(SignedInPlatform platform)
{
    [Fact]
    public async Task a_study_that_no_rule_matched_says_so_on_the_review_page()
    {
        WebApp.RequireBuilt();
        var study = $"2.25.{Random.Shared.NextInt64(1, long.MaxValue)}";
        await RecordResultAsync(study, versionId: null, failure: "NO_RULE_MATCHED");
        await using var chromium = await Chromium.LaunchAsync();

        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");
        var said = await page.Locator("[data-testid=no-result]").TextContentAsync();

        Assert.Contains("no routing rule matched it", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_radiologist_rejects_an_ai_result_with_a_reason_and_the_feedback_appears_through_graphql()
    {
        WebApp.RequireBuilt();
        var (study, _) = await WebApp.StoreSyntheticCtAsync(platform);
        var versionId = await RegisterVersionAsync();
        var resultId = await RecordResultAsync(study, versionId, failure: null);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "radiologist", $"review?study={study}");

        await page.WaitForSelectorAsync(".viewer-host[data-rendered=true]");
        await page.GetByLabel("Reason or comment").FillAsync("misses the lesion in segment 6");
        await Chromium.ScreenshotAsync(page, "review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=feedback-saved]");

        using var radiologist = platform.Client(await platform.UserTokenAsync("radiologist"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(radiologist,
            "query($id: ID!) { inferenceResult(id: $id) { feedback { verdict comment radiologist } } }", new { id = resultId });
        Assert.Null(error);
        var feedback = Assert.Single(data.GetProperty("inferenceResult").GetProperty("feedback").EnumerateArray());
        Assert.Equal("REJECT", feedback.GetProperty("verdict").GetString());
        Assert.Equal("misses the lesion in segment 6", feedback.GetProperty("comment").GetString());
        Assert.Equal("radiologist", feedback.GetProperty("radiologist").GetString());
    }

    /// <summary>A model with one version, registered by an ML engineer on an uploaded (stand-in) artifact.</summary>
    private async Task<string> RegisterVersionAsync()
    {
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        using var upload = await engineer.PostAsync("blobs", new ByteArrayContent(Guid.NewGuid().ToByteArray()));
        var digest = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("digest").GetString();
        var (model, modelError) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }",
            new { name = $"liver-{Guid.NewGuid():N}" });
        Assert.Null(modelError);
        var (version, versionError) = await SignedInPlatform.GraphQLAsync(engineer,
            "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new
            {
                input = new
                {
                    modelId = model.GetProperty("registerModel").GetProperty("id").GetString(), artifactDigest = digest,
                    metrics = new[] { new { name = "dice", value = 0.87 } }, dataDigest = "sha256:" + new string('0', 64), codeVersion = "web test",
                },
            });
        Assert.Null(versionError);
        return version.GetProperty("registerModelVersion").GetProperty("id").GetString()!;
    }

    /// <summary>An inference result for <paramref name="study"/>, recorded as inference records it (its client credentials).</summary>
    private async Task<string> RecordResultAsync(string study, string? versionId, string? failure)
    {
        using var inference = platform.Client(await ClientTokenAsync("inference"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new
            {
                input = new
                {
                    studyInstanceUid = study, modelVersionId = versionId, pipeline = versionId is null ? "pass-through" : "liver-ct",
                    resultUids = versionId is null ? Array.Empty<string>() : [$"{study}.1"], durationMs = 12.5, failure,
                    failureReason = failure is null ? null : "CT ABDOMEN matched none of the rules",
                },
            });
        Assert.Null(error);
        return data.GetProperty("recordInferenceResult").GetProperty("id").GetString()!;
    }

    private async Task<string> ClientTokenAsync(string client)
    {
        using var http = new HttpClient { BaseAddress = platform.Gateway, Timeout = TimeSpan.FromMinutes(1) };
        using var response = await http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client, ["client_secret"] = platform.Launcher.Secret("clients", client), ["scope"] = "cl2",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }
}
