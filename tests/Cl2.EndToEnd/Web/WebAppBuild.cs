namespace Cl2.EndToEnd.Web;

/// <summary>Whether <c>web/dist</c> is the built web app: what the browser tests and <c>./cl2 bench viewer</c> need before they start.</summary>
public static class WebAppBuild
{
    /// <summary>What the web app's build reads (as <c>./cl2</c>'s build_web hashes it), relative to <c>web/</c>.</summary>
    private static readonly string[] BuildInputs = ["index.html", "graphiql.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts"];

    /// <summary>
    /// Why <c>dist/</c> under <paramref name="web"/> is not the built app, or null: its index.html is missing, or, with
    /// <paramref name="compareSources"/>, a source file changed after it was built (where <c>./cl2</c>'s set-up, which
    /// rebuilds on any change, was skipped). A page of a stale build never sets the marks a benchmark waits for.
    /// </summary>
    public static string? Problem(string web, bool compareSources)
    {
        var index = new FileInfo(Path.Combine(web, "dist", "index.html"));
        if (!index.Exists)
        {
            return $"{index.FullName} is missing: build the web app (cd web && npm run build; npm ci first on a fresh clone)";
        }
        if (!compareSources)
        {
            return null;
        }
        var sources = BuildInputs.Select(name => Path.Combine(web, name)).Where(File.Exists)
            .Concat(Directory.Exists(Path.Combine(web, "src")) ? Directory.EnumerateFiles(Path.Combine(web, "src"), "*", SearchOption.AllDirectories) : []);
        var newest = sources.Select(path => new FileInfo(path)).MaxBy(file => file.LastWriteTimeUtc);
        return newest is not null && newest.LastWriteTimeUtc > index.LastWriteTimeUtc
            ? $"{index.FullName} was built before {Path.GetRelativePath(web, newest.FullName)} changed: build the web app (cd web && npm run build)"
            : null;
    }
}
