namespace Cl2.Labeling.GraphQL;

/// <summary>
/// A small GraphiQL-style page at <c>/graphiql</c>, served only in Development: a query, its variables and the
/// caller (an access token from <c>./cl2 token</c>, or the development identity headers where those are on) go to <c>/graphql</c> by POST, and the answer is shown as it came. No script from a CDN.
/// </summary>
public static class GraphiQLPage
{
    public const string Path = "/graphiql";

    public static void MapGraphiQL(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapGet(Path, () => Results.Content(Html, "text/html; charset=utf-8"));
        }
    }

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>cl2 labeling · GraphQL</title>
        <style>
          body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr; height: 100vh; }
          section { display: flex; flex-direction: column; padding: 8px; gap: 6px; min-height: 0; }
          textarea, pre { font: 13px ui-monospace, monospace; flex: 1; margin: 0; border: 1px solid #bbb; padding: 6px; overflow: auto; }
          #variables { flex: 0 0 20%; }
          .bar { display: flex; gap: 6px; align-items: center; }
        </style>
        </head>
        <body>
        <section>
          <div class="bar">
            <button id="run" title="Ctrl+Enter">Run</button>
            <label>token <input id="token" placeholder="./cl2 token --role annotator"></label>
            <label>user <input id="user" placeholder="default identity"></label>
            <label>roles <input id="roles" placeholder="annotator,ml-engineer"></label>
          </div>
          <textarea id="query" spellcheck="false">{ datasets(first: 10) { totalCount edges { node { id name caseCount } } } }</textarea>
          <label for="variables">variables (JSON)</label>
          <textarea id="variables" spellcheck="false">{}</textarea>
        </section>
        <section><pre id="result"></pre></section>
        <script>
          const $ = id => document.getElementById(id);
          async function run() {
            const headers = { "Content-Type": "application/json", "Accept": "application/graphql-response+json" };
            if ($("token").value) { headers["Authorization"] = "Bearer " + $("token").value.trim(); }
            if ($("user").value) { headers["X-Cl2-User"] = $("user").value; headers["X-Cl2-Roles"] = $("roles").value; }
            let variables;
            try { variables = JSON.parse($("variables").value || "{}"); } catch (e) { $("result").textContent = "variables: " + e.message; return; }
            const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query: $("query").value, variables }) });
            const text = await response.text();
            try { $("result").textContent = response.status + "\n" + JSON.stringify(JSON.parse(text), null, 2); }
            catch { $("result").textContent = response.status + "\n" + text; }
          }
          $("run").onclick = run;
          document.onkeydown = e => { if (e.ctrlKey && e.key === "Enter") run(); };
        </script>
        </body>
        </html>
        """;
}
