using System.Text.RegularExpressions;

namespace Cl2.Labeling.Tests;

/// <summary>
/// Labeling writes events one way (Database/StreamDecision.cs); the bulk label import's set-based SQL
/// (Labels/LabelImportStorage.cs) is the one fenced exception for events. The access audit's batches of append-only
/// records (Audit/AuditStore.cs, and the purge past their retention in Audit/AuditRetention.cs) are documents no
/// decision is taken on: no stream, no version check, no conflict — not a mutation. A new mutation that opens its own writing session would
/// bring back a second way to retry, version-check and keep conflicts, so the source is read for one.
/// </summary>
public sealed partial class WritePathTests
{
    private static readonly string[] WritePath = ["Database/StreamDecision.cs"];
    private static readonly string[] FencedImport = ["Labels/LabelImportStorage.cs"];
    private static readonly string[] AuditRecords = ["Audit/AuditStore.cs", "Audit/AuditRetention.cs"];

    [Fact]
    public void only_the_stream_decision_opens_a_writing_session_or_commits()
    {
        var elsewhere = Sources()
            .Where(source => !WritePath.Contains(source.Path) && !FencedImport.Contains(source.Path) && !AuditRecords.Contains(source.Path))
            .SelectMany(source => WriteCall().Matches(source.Text).Select(match => $"{source.Path}: {match.Value}"))
            .ToList();

        Assert.True(elsewhere.Count == 0,
            "Write through Database/StreamDecision (StartAsync, StartManyAsync, DecideAsync, DecideAndStartAsync, ClaimFirstAsync) instead of:\n" + string.Join('\n', elsewhere));
    }

    [Fact]
    public void the_fenced_import_says_why_it_writes_around_marten()
    {
        var import = Sources().Single(source => source.Path == FencedImport[0]);

        Assert.Contains("Marten itself would write", import.Text, StringComparison.Ordinal);
        Assert.DoesNotMatch(WriteCall(), import.Text);
    }

    private static IEnumerable<(string Path, string Text)> Sources()
    {
        var root = Path.Combine(Repository.Root, "labeling", "Cl2.Labeling");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("obj/", StringComparison.Ordinal) && !path.StartsWith("bin/", StringComparison.Ordinal))
            .Select(path => (path, File.ReadAllText(Path.Combine(root, path))));
    }

    /// <summary>Marten's ways to write: a commit, a writing session, or events put on a stream.</summary>
    [GeneratedRegex(@"\b(SaveChanges(Async)?|LightweightSession|IdentitySession|DirtyTrackedSession|OpenSession|StartStream|FetchForWriting|Events\.Append)\b")]
    private static partial Regex WriteCall();
}
