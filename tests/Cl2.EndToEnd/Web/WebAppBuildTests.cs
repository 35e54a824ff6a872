namespace Cl2.EndToEnd.Web;

/// <summary>
/// <see cref="WebAppBuild.Problem"/>: what `./cl2 bench viewer` checks before it starts anything, so that a missing or
/// stale <c>web/dist</c> stops it at once with what to do instead of a page that never sets its marks.
/// </summary>
public sealed class WebAppBuildTests : IDisposable
{
    private readonly string _web = Directory.CreateTempSubdirectory("cl2-web-build-").FullName;

    public WebAppBuildTests()
    {
        Directory.CreateDirectory(Path.Combine(_web, "src", "viewer"));
        File.WriteAllText(Path.Combine(_web, "package-lock.json"), "{}");
        File.WriteAllText(Path.Combine(_web, "src", "viewer", "stackViewer.ts"), "export {};");
    }

    [Fact]
    public void a_web_folder_without_a_built_index_says_to_build_the_web_app()
    {
        var problem = WebAppBuild.Problem(_web, compareSources: false);

        Assert.NotNull(problem);
        Assert.Contains("build the web app (cd web && npm run build", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void a_source_changed_after_the_build_names_the_file_and_says_to_build_the_web_app()
    {
        var index = Build(DateTime.UtcNow.AddMinutes(-10));
        File.SetLastWriteTimeUtc(Path.Combine(_web, "src", "viewer", "stackViewer.ts"), DateTime.UtcNow);

        var problem = WebAppBuild.Problem(_web, compareSources: true);

        Assert.Equal($"{index} was built before {Path.Combine("src", "viewer", "stackViewer.ts")} changed: build the web app (cd web && npm run build)", problem);
    }

    [Fact]
    public void a_build_newer_than_every_source_is_current()
    {
        foreach (var source in Directory.EnumerateFiles(_web, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddMinutes(-10));
        }
        Build(DateTime.UtcNow);

        Assert.Null(WebAppBuild.Problem(_web, compareSources: true));
    }

    private string Build(DateTime at)
    {
        var index = Path.Combine(Directory.CreateDirectory(Path.Combine(_web, "dist")).FullName, "index.html");
        File.WriteAllText(index, "<!doctype html>");
        File.SetLastWriteTimeUtc(index, at);
        return index;
    }

    public void Dispose() => Directory.Delete(_web, recursive: true);
}
