using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>The operations page (<c>/operations</c>) on the real platform: what inference recorded, as an admin sees it.</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class OperationsPageTests(SignedInPlatform platform)
{
    [Fact]
    public async Task an_admin_retries_a_dead_lettered_delivery_of_a_received_study_from_the_operations_page()
    {
        WebApp.RequireBuilt();
        var study = $"1.2.826.0.1.3680043.10.1900.{Random.Shared.Next(1, 1_000_000)}";
        var resultId = await RecordDeadLetterAsync(study);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "admin", "operations");

        var received = page.GetByTestId("received").Locator("tr", new() { HasText = study });
        var result = page.GetByTestId("results").Locator("tr", new() { HasText = study });
        var (receivedRow, resultRow) = (await received.InnerTextAsync(), await result.InnerTextAsync());
        await Chromium.ScreenshotAsync(page, "operations");
        await result.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await result.GetByTestId("retry-requested").WaitForAsync();
        using var admin = platform.Client(await platform.UserTokenAsync("admin"));
        var (data, error) = await SignedInPlatform.GraphQLAsync(admin, "query($id: ID!) { inferenceResult(id: $id) { deliveries { destination status } } }", new { id = resultId });

        Assert.Contains("OPS-SCANNER", receivedRow, StringComparison.Ordinal);
        Assert.Contains("rule \"ops rule\"", resultRow, StringComparison.Ordinal);
        Assert.Contains("PACS: dead lettered after 5 attempt(s) — connection refused", resultRow, StringComparison.Ordinal);
        Assert.Null(error);
        var delivery = Assert.Single(data.GetProperty("inferenceResult").GetProperty("deliveries").EnumerateArray());
        Assert.Equal(("PACS", "RETRYING"), (delivery.GetProperty("destination").GetString(), delivery.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task an_ml_engineer_is_told_the_operations_page_is_for_administrators()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer", "operations");

        var text = await page.Locator("main").InnerTextAsync();
        var menu = await page.Locator("#nav").InnerTextAsync();

        Assert.Contains("for administrators", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Operations", menu, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_operations_page_fits_1280_pixels_across_with_a_long_dicomweb_path_in_the_audit()
    {
        WebApp.RequireBuilt();
        // A WADO-RS read is audited as "GET <its path>": with 64-character UIDs, one unbroken word of some 180 characters.
        string LongUid() => "1.2.826.0.1.3680043.10.1900." + string.Concat(Enumerable.Range(0, 6).Select(_ => Random.Shared.Next(100_000, 999_999)))[..35];
        using (var admin = platform.Client(await platform.UserTokenAsync("admin")))
        {
            using var read = await admin.GetAsync(new Uri($"dicomweb/studies/{LongUid()}/series/{LongUid()}/metadata", UriKind.Relative));
        }
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "admin", "operations");
        await page.GetByTestId("audit").Locator("tr", new() { HasText = "/metadata" }).First.WaitForAsync();

        var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
            await page.EvaluateAsync<int>("() => window.innerWidth"));

        Assert.True(scrollWidth <= innerWidth, $"the page is {scrollWidth} px wide in a {innerWidth} px window");
    }

    [Fact]
    public async Task the_audit_filtered_by_a_study_pages_past_its_20_newest_records()
    {
        WebApp.RequireBuilt();
        var study = $"1.2.826.0.1.3680043.10.1901.{Random.Shared.Next(1, 1_000_000)}.{Random.Shared.Next(1, 1_000_000)}";
        // 25 archive reads of the study by the admin, each an audit record naming it.
        using (var admin = platform.Client(await platform.UserTokenAsync("admin")))
        {
            for (var read = 0; read < 25; read++)
            {
                using var _ = await admin.GetAsync(new Uri($"dicomweb/studies/{study}/series", UriKind.Relative));
            }
            // The audit trail writes in batches: the page is opened once all 25 are in.
            await Eventually.IsTrueAsync(async () =>
            {
                var (data, error) = await SignedInPlatform.GraphQLAsync(admin,
                    "query($study: String) { accessAudit(study: $study, first: 50) { items { at } } }", new { study });
                return error is null && data.GetProperty("accessAudit").GetProperty("items").GetArrayLength() == 25;
            }, platform.Services, "the 25 reads in the audit", timeoutSeconds: 180);
        }
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "admin", "operations");
        var audit = page.GetByTestId("audit");
        var rows = audit.Locator("tbody tr");
        await rows.First.WaitForAsync();

        await audit.GetByLabel("Study").FillAsync(study);
        await audit.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(audit).ToHaveAttributeAsync("data-study", study, new() { Timeout = 60_000 }); // the filtered rows are in
        await Assertions.Expect(rows).ToHaveCountAsync(20, new() { Timeout = 60_000 });
        var firstPage = await rows.AllInnerTextsAsync();
        await audit.GetByRole(AriaRole.Button, new() { Name = "Show 20 more" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(25, new() { Timeout = 60_000 });
        var bothPages = await rows.AllInnerTextsAsync();
        var moreLeft = await audit.GetByRole(AriaRole.Button, new() { Name = "Show 20 more" }).CountAsync();
        await audit.GetByLabel("User").FillAsync("someone-who-never-signed-in");
        await audit.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(audit).ToContainTextAsync("holds no record", new() { Timeout = 60_000 });
        await audit.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Assertions.Expect(audit).Not.ToHaveAttributeAsync("data-study", study, new() { Timeout = 60_000 });
        // Unfiltered again: a full first page (the audit holds at least the 25 reads) with more after it.
        await Assertions.Expect(rows).ToHaveCountAsync(20, new() { Timeout = 60_000 });
        var moreAfterClear = await audit.GetByRole(AriaRole.Button, new() { Name = "Show 20 more" }).CountAsync();

        Assert.All(bothPages, row => Assert.Contains(study, row, StringComparison.Ordinal));
        Assert.Equal(firstPage, bothPages.Take(20));
        Assert.Equal(0, moreLeft);
        Assert.Equal(1, moreAfterClear);
    }

    /// <summary>As inference records them (its client's token): the study received, a pass-through result routed by a rule,
    /// and its delivery to the PACS dead-lettered after five attempts; the result's id.</summary>
    private async Task<string> RecordDeadLetterAsync(string study)
    {
        await WebApp.RecordStudyReceivedAsync(platform, study, "OPS-SCANNER", 3);
        using var inference = platform.Client(await WebApp.ClientTokenAsync(platform, "inference"));
        var (recorded, resultError) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new
            {
                input = new
                {
                    studyInstanceUid = study, pipeline = "pass-through", resultUids = Array.Empty<string>(), durationMs = 4.0,
                    routing = new { tableVersion = 1, ruleId = Guid.NewGuid(), ruleName = "ops rule", ruleVersion = 1, explanation = new[] { "ops rule matched modality CT" } },
                },
            });
        Assert.Null(resultError);
        var resultId = recorded.GetProperty("recordInferenceResult").GetProperty("id").GetString()!;
        var (_, deliveryError) = await SignedInPlatform.GraphQLAsync(inference,
            "mutation($input: RecordDeliveryInput!) { recordDelivery(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, destination = "PACS", outcome = "DEAD_LETTERED", error = "connection refused", attempt = 5 } });
        Assert.Null(deliveryError);
        return resultId;
    }
}
