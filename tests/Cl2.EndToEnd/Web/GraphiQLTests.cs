using System.Text.Json;
using Cl2.EndToEnd.Identity;
using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>GraphiQL at <c>/graphiql</c> (issue 13.9): the web app's second page, served by the gateway in Development,
/// running against labeling through the gateway as a signed-in browser (its session cookie, no token typed in).</summary>
[Collection(SignedInPlatform.Collection)]
public sealed class GraphiQLTests(SignedInPlatform platform)
{
    [Fact]
    public async Task graphiql_introspects_the_schema_into_its_documentation_explorer_and_runs_its_default_query()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer");
        var introspection = page.WaitForResponseAsync(response => response.Url.EndsWith("/graphql", StringComparison.Ordinal)
            && (response.Request.PostData ?? "").Contains("__schema", StringComparison.Ordinal));

        await page.GotoAsync(new Uri(platform.Gateway, "graphiql").ToString());
        var schema = JsonDocument.Parse(await (await introspection).TextAsync()).RootElement;
        await page.GetByLabel("Show Documentation Explorer").ClickAsync();
        var rootTypes = await page.Locator(".graphiql-doc-explorer-root-type").AllTextContentsAsync();
        await page.Locator(".graphiql-doc-explorer-type-name", new() { HasTextString = "Query" }).First.ClickAsync();
        var datasetsField = page.Locator(".graphiql-doc-explorer-field-name", new() { HasTextString = "datasets" }).First;
        await datasetsField.WaitForAsync();
        var answered = page.WaitForResponseAsync(response => response.Url.EndsWith("/graphql", StringComparison.Ordinal)
            && (response.Request.PostData ?? "").Contains("datasets(first: 10)", StringComparison.Ordinal));
        await page.Locator(".graphiql-execute-button").ClickAsync();
        var result = JsonDocument.Parse(await (await answered).TextAsync()).RootElement;
        await page.Locator(".graphiql-response").GetByText("totalCount").First.WaitForAsync();

        Assert.Equal("Query", schema.GetProperty("data").GetProperty("__schema").GetProperty("queryType").GetProperty("name").GetString());
        Assert.Equal(["query", "mutation", "subscription"], rootTypes.Select(text => text.Trim()));
        Assert.True(await datasetsField.IsVisibleAsync());
        Assert.False(result.TryGetProperty("errors", out _), result.ToString());
        Assert.True(result.GetProperty("data").GetProperty("datasets").GetProperty("totalCount").GetInt32() >= 0);
        await Chromium.ScreenshotAsync(page, "graphiql");
    }

    [Fact]
    public async Task a_subscription_run_in_graphiql_goes_over_a_graphql_transport_ws_socket_that_the_server_acknowledges()
    {
        WebApp.RequireBuilt();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await WebApp.SignInAsync(chromium, platform, "ml-engineer");
        await page.GotoAsync(new Uri(platform.Gateway, "graphiql").ToString());
        var editor = page.Locator(".graphiql-query-editor .monaco-editor").First;
        // GraphiQL puts its default query into the editor once Monaco has started; text inserted before that is replaced
        // by it on a loaded machine, and the run then goes by POST with no socket at all. So: wait for the default query,
        // insert, and see the subscription in the editor before running it.
        await page.WaitForFunctionAsync("() => document.querySelector('.graphiql-query-editor .view-lines')?.textContent.includes('datasets')",
            null, new() { Timeout = 60_000 });
        await editor.ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        // Inserted as one piece: typed key by key, the editor would close each brace it opens.
        await page.Keyboard.InsertTextAsync("subscription { modelPromoted { modelId } }");
        var acknowledged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscribed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.WebSocket += (_, socket) =>
        {
            seen.Enqueue($"socket {socket.Url}");
            socket.FrameReceived += (_, frame) =>
            {
                seen.Enqueue($"received {frame.Text}");
                if (frame.Text?.Contains("\"connection_ack\"", StringComparison.Ordinal) == true) acknowledged.TrySetResult(socket.Url);
            };
            socket.FrameSent += (_, frame) =>
            {
                seen.Enqueue($"sent {frame.Text}");
                if (frame.Text?.Contains("\"subscribe\"", StringComparison.Ordinal) == true) subscribed.TrySetResult(frame.Text);
            };
            socket.Close += (_, _) => seen.Enqueue("socket closed");
        };
        page.Request += (_, request) => { if (request.Url.EndsWith("/graphql", StringComparison.Ordinal)) seen.Enqueue($"{request.Method} {request.PostData}"); };

        // Run at once, as a person pressing Ctrl+Enter right after typing does: GraphiQL parses the editor 100 ms after the
        // last edit, and a run before that must still go by the socket (web/src/graphiql/transport.ts, documentOf).
        await page.Keyboard.PressAsync("Control+Enter");
        string socketUrl, subscribe;
        try
        {
            socketUrl = await acknowledged.Task.WaitAsync(TimeSpan.FromMinutes(1));
            subscribe = await subscribed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"No acknowledged subscription socket within a minute; the page did: {string.Join(" | ", seen)}");
        }

        Assert.Equal(new Uri(platform.Gateway, "graphql").ToString().Replace("http:", "ws:", StringComparison.Ordinal), socketUrl);
        Assert.Contains("modelPromoted", subscribe, StringComparison.Ordinal);
    }
}
