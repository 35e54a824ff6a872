using System.Text.RegularExpressions;

namespace Cl2.EndToEnd;

/// <summary>The docs (README.md and docs/*.md) name files of this repository; when one moves or goes, the docs must follow.</summary>
public sealed partial class DocumentationTests
{
    /// <summary>A repository path as the docs write them: a top-level folder, then a project (<c>Cl2.…</c>) or a file, and
    /// deeper segments (<c>inference/Cl2.Dicom/Network/README.md</c>, <c>docs/archive.md</c>, <c>tests/Directory.Build.props</c>).
    /// Prose such as "train/validation/test" does not match: the second segment must be a project or have an extension.</summary>
    [GeneratedRegex(@"(?<![\w./-])(?:(?:gateway|inference|labeling|training|tests|web)/(?:Cl2\.[\w.]+|[\w-]+\.\w+)(?:/[\w.-]+)*/?|docs/[\w-]+\.md|\.ci/[\w.-]+)")]
    private static partial Regex RepositoryPath();

    /// <summary>A Markdown link to a file, relative to the page (<c>[archive](archive.md)</c>).</summary>
    [GeneratedRegex(@"\]\((?!https?:|#|mailto:)([^)#\s]+)")]
    private static partial Regex RelativeLink();

    /// <summary>A page named on its own (<c>README.md</c>, <c>training.md</c>): it must be a page of this repository.</summary>
    [GeneratedRegex(@"(?<![\w./-])[\w-]+\.md\b")]
    private static partial Regex PageName();

    [Fact]
    public void every_repository_path_the_docs_name_exists()
    {
        var missing = Pages()
            .SelectMany(page => RepositoryPath().Matches(File.ReadAllText(page))
                .Select(match => (Page: page, Named: match.Value, Path: Path.Combine(Repository.Root, match.Value))))
            // Build outputs (fuzzing.md names the instrumented assembly) exist only after a build, not in a clone.
            .Where(reference => !reference.Named.Contains("/bin/", StringComparison.Ordinal) && !reference.Named.Contains("/obj/", StringComparison.Ordinal))
            .Where(reference => !Exists(reference.Path))
            .Select(reference => $"{Path.GetRelativePath(Repository.Root, reference.Page)}: {reference.Named}")
            .Distinct()
            .ToList();

        Assert.True(missing.Count == 0, "paths named in the docs that are not in the repository:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void every_relative_link_in_the_docs_leads_to_a_file()
    {
        var broken = Pages()
            .SelectMany(page => RelativeLink().Matches(File.ReadAllText(page))
                .Select(match => (Page: page, Link: match.Groups[1].Value)))
            .Where(link => !Exists(Path.Combine(Path.GetDirectoryName(link.Page)!, link.Link)))
            .Select(link => $"{Path.GetRelativePath(Repository.Root, link.Page)}: ({link.Link})")
            .ToList();

        Assert.True(broken.Count == 0, "links in the docs that lead nowhere:\n" + string.Join('\n', broken));
    }

    /// <summary>A page mentioned by its name alone must be one a reader of the repository can open (no notes kept elsewhere).</summary>
    [Fact]
    public void every_page_the_docs_name_is_in_the_repository()
    {
        var pages = Directory.EnumerateFiles(Repository.Root, "*.md", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = Pages()
            .SelectMany(page => PageName().Matches(File.ReadAllText(page))
                .Where(match => !pages.Contains(match.Value))
                .Select(match => $"{Path.GetRelativePath(Repository.Root, page)}: {match.Value}"))
            .Distinct()
            .ToList();

        Assert.True(unknown.Count == 0, "pages named in the docs that the repository does not have:\n" + string.Join('\n', unknown));
    }

    private static IEnumerable<string> Pages() =>
        Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md").Prepend(Path.Combine(Repository.Root, "README.md"));

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
