using System.Globalization;
using System.Text.Json;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>The model registry's production timeline: the periods labeling's <c>productionHistory</c> answers, drawn as bars.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class ProductionTimelinePageTests(SignedInPlatform platform)
{
    /// <summary>JavaScript: what each bar of the timeline says, left to right, as JSON.</summary>
    private const string ReadBars = """
        items => JSON.stringify(items.map(item => ({
          version: item.dataset.versionId, change: item.dataset.change, changedBy: item.dataset.changedBy,
          from: item.dataset.from, to: item.dataset.to, current: item.getAttribute('aria-current') === 'true',
          label: item.getAttribute('aria-label'), tabIndex: item.tabIndex })))
        """;

    [Fact]
    public async Task the_registry_draws_two_promotions_and_a_rollback_as_three_meeting_periods()
    {
        WebApp.RequireBuilt();
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var before = DateTimeOffset.UtcNow;
        var (modelId, v1, v2) = await TwoVersionsPromotedInTurnAsync(engineer);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");
        var bars = page.Locator("[data-testid=production-period]");
        await page.WaitForSelectorAsync("[data-testid=production-timeline]");
        // The rollback goes through the page's confirmation, with a reason the timeline then shows.
        await page.Locator("button[data-action=rollback]").ClickAsync();
        await page.Locator("[data-testid=confirm-change] input[name=reason]").FillAsync("  v2 misses small lesions  ");
        await page.Locator("[data-testid=confirm-change] button[type=submit]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=production-period]').length === 3");
        var after = DateTimeOffset.UtcNow;

        var drawn = JsonDocument.Parse(await bars.EvaluateAllAsync<string>(ReadBars)).RootElement.EnumerateArray().ToList();
        await Chromium.ScreenshotAsync(page, "models-timeline");

        Assert.Equal([(v1, "PROMOTED", false), (v2, "PROMOTED", false), (v1, "ROLLED_BACK", true)],
            drawn.Select(bar => (bar.GetProperty("version").GetString(), bar.GetProperty("change").GetString(), bar.GetProperty("current").GetBoolean())));
        Assert.All(drawn, bar => Assert.Equal("ml-engineer", bar.GetProperty("changedBy").GetString()));
        Assert.Equal(drawn[1].GetProperty("from").GetString(), drawn[0].GetProperty("to").GetString());
        Assert.Equal(drawn[2].GetProperty("from").GetString(), drawn[1].GetProperty("to").GetString());
        Assert.Equal("", drawn[2].GetProperty("to").GetString());
        var starts = drawn.Select(bar => DateTimeOffset.Parse(bar.GetProperty("from").GetString()!, CultureInfo.InvariantCulture)).ToList();
        Assert.True(starts[0] >= before && starts[2] <= after, $"the periods start outside the test's changes ({before:O} to {after:O}): {string.Join(", ", starts)}");
        Assert.All(drawn, bar => Assert.Equal(0, bar.GetProperty("tabIndex").GetInt32()));
        Assert.Equal(["v1: ", "v2: ", "v1 (in production now): "], drawn.Select(bar => bar.GetProperty("label").GetString()![..(bar.GetProperty("label").GetString()!.IndexOf(':') + 2)]));
        Assert.EndsWith(", restored by a rollback by ml-engineer. Reason: v2 misses small lesions", drawn[2].GetProperty("label").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_timeline_bar_is_reached_by_the_keyboard_and_read_by_its_label()
    {
        WebApp.RequireBuilt();
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (modelId, v1, v2) = await TwoVersionsPromotedInTurnAsync(engineer);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "annotator", $"models?model={modelId}");
        var current = page.GetByRole(AriaRole.Listitem, new() { Name = "v2 (in production now): from" });
        await current.WaitForAsync();

        await page.Locator($"[data-testid=production-period][data-version-id='{v1}']").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.WaitForFunctionAsync("version => document.activeElement?.dataset.versionId === version", v2);

        Assert.Equal(await current.GetAttributeAsync("aria-label"), await page.Locator(".timeline-detail").TextContentAsync());
        Assert.Equal("true", await current.GetAttributeAsync("aria-current"));
    }

    [Fact]
    public async Task escape_or_cancel_on_a_rollback_leaves_production_as_it_was()
    {
        WebApp.RequireBuilt();
        using var engineer = platform.Client(await platform.UserTokenAsync("ml-engineer"));
        var (modelId, _, v2) = await TwoVersionsPromotedInTurnAsync(engineer);
        var before = await ProductionAsync(engineer, modelId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", $"models?model={modelId}");
        var rollback = page.Locator("button[data-action=rollback]");
        var confirmation = page.Locator("[data-testid=confirm-change]");

        await rollback.ClickAsync();
        await confirmation.Locator("input[name=reason]").FillAsync("not now");
        await page.Keyboard.PressAsync("Escape");
        await confirmation.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var focusedAfterEscape = await page.EvaluateAsync<string?>("() => document.activeElement?.dataset.action ?? null");
        await rollback.ClickAsync();
        await confirmation.Locator("button[data-cancel]").ClickAsync();
        await confirmation.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        Assert.Equal("rollback", focusedAfterEscape);
        Assert.Equal(before, await ProductionAsync(engineer, modelId));
        Assert.Contains($"\"{v2}\"", before, StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("[data-testid=production-period]").CountAsync());
        Assert.Equal("", await page.Locator(".message").First.TextContentAsync() ?? "");
    }

    /// <summary>The model's production version, its version (which any change would raise) and its production history, as JSON.</summary>
    private static async Task<string> ProductionAsync(HttpClient engineer, string modelId)
    {
        var (model, error) = await SignedInPlatform.GraphQLAsync(engineer,
            "query($id: ID!) { model(id: $id) { version productionVersion { id } productionHistory { version { id } change reason } } }", new { id = modelId });
        Assert.Null(error);
        return model.GetProperty("model").GetRawText();
    }

    /// <summary>A new model with versions 1 and 2, version 1 promoted, then version 2.</summary>
    private async Task<(string ModelId, string V1, string V2)> TwoVersionsPromotedInTurnAsync(HttpClient engineer)
    {
        var (modelId, v1) = await WebApp.RegisterModelVersionAsync(platform);
        var v2 = await WebApp.RegisterNextVersionAsync(platform, modelId, v1, dice: 0.9, codeVersion: "web timeline");
        await PromoteAsync(engineer, modelId, v1);
        await PromoteAsync(engineer, modelId, v2);
        return (modelId, v1, v2);
    }

    private static async Task PromoteAsync(HttpClient engineer, string modelId, string versionId)
    {
        var (_, error) = await SignedInPlatform.GraphQLAsync(engineer, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = await ModelVersionAsync(engineer, modelId) } });
        Assert.Null(error);
    }

    /// <summary>The model's version as it is now, which a promotion or rollback names as the one it decided on.</summary>
    private static async Task<int> ModelVersionAsync(HttpClient engineer, string modelId)
    {
        var (model, error) = await SignedInPlatform.GraphQLAsync(engineer, "query($id: ID!) { model(id: $id) { version } }", new { id = modelId });
        Assert.Null(error);
        return model.GetProperty("model").GetProperty("version").GetInt32();
    }
}
