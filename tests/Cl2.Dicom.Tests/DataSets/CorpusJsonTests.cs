using System.Text.Json.Nodes;
using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>Our reader and JSON model against DCMTK (dcmdump, dcm2json) over the whole pydicom corpus.</summary>
public sealed class CorpusJsonTests
{
    [Fact]
    public async Task json_of_every_corpus_file_dcmtk_reads_equals_dcm2json_after_normalisation()
    {
        var files = Corpus.DataFiles();
        var results = await Corpus.InParallelAsync(files, CheckAsync);
        var failures = results.SelectMany(r => r.Failures).ToList();
        var usedTolerances = results.SelectMany(r => r.UsedTolerances).ToHashSet();
        foreach (var unused in DicomToleratedMismatch.All.Where(t => !usedTolerances.Contains(t)))
        {
            failures.Add($"{unused.File} {unused.JsonPath}: tolerated mismatch no longer occurs; remove it from the table");
        }
        Assert.True(results.Count(r => r.Compared) > 100, $"only {results.Count(r => r.Compared)} files were compared");
        var encodings = results.Select(r => r.Encoding).ToHashSet();
        foreach (var syntax in DicomTransferSyntax.Native)
        {
            Assert.Contains(syntax.Uid, encodings);
        }
        Assert.Contains(encodings, e => e is not null && e.StartsWith("no meta", StringComparison.Ordinal));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task files_dcmtk_rejects_are_rejected_with_a_typed_error_naming_the_offset()
    {
        var results = await Corpus.InParallelAsync(Corpus.DataFiles(), async relative =>
        {
            if (await Corpus.DcmtkReadsAsync(relative))
            {
                return (relative, Rejected: false, Problem: (string?)null);
            }
            var error = Record.Exception(() => DicomFile.Open(Corpus.DataFile(relative)));
            var problem = error is DicomFormatException typed
                ? typed.Message.Contains("byte offset", StringComparison.Ordinal) ? null : $"{relative}: message lacks the offset: {typed.Message}"
                : $"{relative}: DCMTK rejects it but we {(error is null ? "read it" : "threw " + error.GetType().Name + ": " + error.Message)}";
            return (relative, Rejected: true, Problem: problem);
        });
        Assert.True(results.Count(r => r.Rejected) >= 4, "dcmdump fails on at least 4 corpus files (truncated or malformed)");
        var problems = results.Where(r => r.Problem is not null).Select(r => r.Problem).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private sealed record FileResult(bool Compared, IReadOnlyList<string> Failures, IReadOnlyList<DicomToleratedMismatch> UsedTolerances,
        string? Encoding = null);

    private static async Task<FileResult> CheckAsync(string relative)
    {
        var path = Corpus.DataFile(relative);
        if (!await Corpus.DcmtkReadsAsync(relative))
        {
            return new FileResult(false, [], []); // the rejection test covers these
        }
        DicomFile file;
        try
        {
            file = DicomFile.Open(path);
        }
        catch (DicomFormatException e)
        {
            return new FileResult(false, [$"{relative}: DCMTK reads it, we reject it: {e.Message}"], []);
        }
        var ours = JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset))!.AsObject();
        var theirs = await Dcm2JsonAsync(path);
        if (theirs.Json is null)
        {
            var reason = DicomToleratedMismatch.Dcm2JsonFailures.Keys.FirstOrDefault(k => theirs.Error.Contains(k, StringComparison.Ordinal));
            if (reason is null)
            {
                return new FileResult(false, [$"{relative}: dcm2json fails unexpectedly: {theirs.Error}"], []);
            }
            if (!reason.StartsWith("JSON InlineBinary", StringComparison.Ordinal))
            {
                return new FileResult(false, [], []);
            }
            theirs = await Dcm2JsonWithoutPixelDataAsync(path);
            ours.Remove("7FE00010");
            ours.Remove("FFFCFFFC"); // dcmodify drops Data Set Trailing Padding when it rewrites the copy
            if (theirs.Json is null)
            {
                return new FileResult(false, [$"{relative}: dcm2json fails even without pixel data: {theirs.Error}"], []);
            }
        }
        var used = new List<DicomToleratedMismatch>();
        var failures = new List<string>();
        foreach (var difference in DicomJsonComparison.Compare(ours, theirs.Json))
        {
            var tolerance = DicomToleratedMismatch.All.FirstOrDefault(t => t.File == relative && difference.StartsWith(t.JsonPath, StringComparison.Ordinal));
            if (tolerance is null)
            {
                failures.Add($"{relative}: {difference}");
            }
            else
            {
                used.Add(tolerance);
            }
        }
        var encoding = file.HasFileMetaInformation ? file.TransferSyntax.Uid : "no meta: " + file.TransferSyntax.Uid;
        return new FileResult(true, failures, used, encoding);
    }

    private static async Task<(JsonNode? Json, string Error)> Dcm2JsonAsync(string path)
    {
        var result = await Dcmtk.RunAsync("dcm2json", [path]);
        return result.ExitCode == 0 ? (JsonNode.Parse(result.Output), "") : (null, result.Error);
    }

    private static async Task<(JsonNode? Json, string Error)> Dcm2JsonWithoutPixelDataAsync(string path)
    {
        var copy = Path.Combine(Directory.CreateTempSubdirectory("cl2-dcm2json-").FullName, Path.GetFileName(path));
        try
        {
            File.Copy(path, copy);
            (await Dcmtk.RunAsync("dcmodify", ["-nb", "-ea", "(7fe0,0010)", copy])).EnsureSuccess("dcmodify -ea (7fe0,0010)");
            return await Dcm2JsonAsync(copy);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }
}
