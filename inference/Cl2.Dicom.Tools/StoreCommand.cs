using System.Globalization;
using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `store HOST PORT FILE|FOLDER...` (modelled on storescu): every Part 10 file, folders searched recursively, over ONE
/// association that proposes each file's SOP class in its own transfer syntax (plus the uncompressed ones). Progress on
/// stderr; a summary on stdout; exit 3 when any instance was not stored, with the files listed.
/// </summary>
public sealed class StoreCommand : IDicomCommand
{
    public string Name => "store";

    public string Usage => "store " + ScuArguments.Usage + " FILE|FOLDER...   (folders are searched recursively, as storescu +sd +r)";

    public int Run(IReadOnlyList<string> arguments, TextWriter output) => Run(arguments, output, TextWriter.Null, CancellationToken.None);

    public int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var scu = ScuArguments.Parse(arguments, [], ["+sd", "--scan-directories", "+r", "--recurse"]);
        if (scu.Rest.Count == 0)
        {
            throw new UsageException("at least one FILE or FOLDER is needed");
        }
        var (files, named) = Collect(scu.Rest);
        var sizes = files.Distinct().ToDictionary(f => f, f => new FileInfo(f).Length);
        var totalBytes = sizes.Values.Sum();
        var progress = new ProgressLine(error);
        int done = 0, stored = 0;
        long bytes = 0;
        string Status() => $"{ProgressLine.Bar(done, files.Count)} {done}/{files.Count} instances, {ProgressLine.Megabytes(bytes)} of " +
            $"{ProgressLine.Megabytes(totalBytes)}, {ProgressLine.Rate(stored, progress.Elapsed, "instances")}, " +
            $"{ProgressLine.Rate(bytes / (1024.0 * 1024.0), progress.Elapsed, "MB")}";
        var results = StoreScu.SendAsync(scu.Host, scu.Port, scu.Client, files, new InlineProgress<StoreResult>(result =>
        {
            done++;
            if (result.Succeeded)
            {
                stored++;
                bytes += sizes[result.Path];
            }
            if (scu.Verbose)
            {
                error.WriteLine($"\r{result.Path}: {(result.Status is { } s ? s.ToString() : result.Error)}");
            }
            progress.Update(Status);
        }), cancellationToken).GetAwaiter().GetResult();
        progress.Finish(Status());
        return Summarize(output, error, scu, results, named, bytes, progress.Elapsed);
    }

    private static int Summarize(TextWriter output, TextWriter error, ScuArguments scu, IReadOnlyList<StoreResult> results,
        IReadOnlySet<string> named, long bytes, TimeSpan elapsed)
    {
        var skipped = results.Where(r => r.SopInstanceUid is null).ToList();
        var lost = results.Where(r => r.NotAcknowledged).ToList();
        var failed = results.Where(r => r.SopInstanceUid is not null && !r.Succeeded && !r.NotAcknowledged).ToList();
        var stored = results.Count(r => r.Succeeded);
        var warnings = results.Count(r => r.Status is { IsWarning: true });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stored {stored} of {results.Count - skipped.Count} instances ({ProgressLine.Megabytes(bytes)}) to {scu.Peer} in {elapsed.TotalSeconds:0.00} s, " +
            $"{ProgressLine.Rate(stored, elapsed, "instances")}, {ProgressLine.Rate(bytes / (1024.0 * 1024.0), elapsed, "MB")}: " +
            $"{warnings} with warnings, {failed.Count} failed, {lost.Count} not acknowledged, {skipped.Count} skipped (not Part 10 files)"));
        foreach (var result in skipped)
        {
            error.WriteLine($"skipped {result.Error}");
        }
        foreach (var result in failed)
        {
            error.WriteLine($"FAILED {result.Path} ({result.SopInstanceUid}): {(result.Status is { } s ? "the peer answered " + s : result.Error)}");
        }
        foreach (var result in lost)
        {
            error.WriteLine($"NOT ACKNOWLEDGED {result.Path} ({result.SopInstanceUid}): {result.Error}");
        }
        if (lost.Count > 0)
        {
            error.WriteLine($"store: the association ended before {lost.Count} instance(s) were acknowledged; the peer may lack them: send those files again");
            return DicomTool.PeerFailure;
        }
        if (failed.Count > 0)
        {
            error.WriteLine($"store: {failed.Count} instance(s) were not stored: the peer's status or the reason is listed above; " +
                "check the peer's log and its accepted SOP classes and transfer syntaxes, then send those files again");
            return DicomTool.PeerFailure;
        }
        return skipped.Any(s => named.Contains(s.Path)) ? DicomTool.BadInput : DicomTool.Success;
    }

    /// <summary>The files to send in a stable order, and which of them were named on the command line.</summary>
    private static (List<string> Files, IReadOnlySet<string> Named) Collect(IEnumerable<string> paths)
    {
        var files = new List<string>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
                named.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or folder");
            }
        }
        return (files.Distinct().ToList(), named);
    }
}
