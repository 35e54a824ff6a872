using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Network.Client;

namespace Cl2.Testing;

/// <summary>
/// python3-pydicom's data files (Debian's package): the real DICOM corpus the tests are judged on. <see cref="Folder"/>
/// holds the test files (transfer syntaxes, SOP classes, compressed pixel data); <see cref="DataRoot"/> adds the
/// character set files and palettes beside them.
/// </summary>
public static class Corpus
{
    public const string DataRoot = "/usr/lib/python3/dist-packages/pydicom/data";

    public const string Folder = DataRoot + "/test_files/";

    private static readonly string[] NotData = [".py", ".pyc", ".json", ".gz", ".dump"];

    /// <summary>A test file by its path under <see cref="Folder"/>.</summary>
    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>The test files, paths relative to <see cref="Folder"/>, in ordinal order.</summary>
    public static IEnumerable<string> TestFiles() =>
        Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Folder, path))
            .Order(StringComparer.Ordinal);

    /// <summary>A data file by its path under <see cref="DataRoot"/>.</summary>
    public static string DataFile(string relative) => Path.Combine(DataRoot, relative);

    /// <summary>Every DICOM data file (test files, character sets, palettes), paths relative to <see cref="DataRoot"/>.</summary>
    public static IReadOnlyList<string> DataFiles() =>
        Directory.EnumerateFiles(DataRoot, "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains("__pycache__", StringComparison.Ordinal) && !NotData.Contains(Path.GetExtension(path)))
            .Select(path => Path.GetRelativePath(DataRoot, path))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The test files our reader opens whose pixel data is encapsulated; the files it rejects are not among them.</summary>
    public static IEnumerable<string> CompressedFiles()
    {
        foreach (var relative in TestFiles())
        {
            DicomFile file;
            try
            {
                file = DicomFile.Open(File(relative));
            }
            catch (DicomFormatException)
            {
                continue;
            }
            if (file.TransferSyntax.IsEncapsulated && file.Dataset.Contains(DicomTags.PixelData))
            {
                yield return relative;
            }
        }
    }

    public static DicomPixelData PixelDataOf(string path) => DicomPixelData.From(DicomFile.Open(path));

    private static readonly Lazy<Task<IReadOnlyDictionary<string, bool>>> DcmtkVerdicts = new(async () =>
    {
        var files = DataFiles();
        var verdicts = await InParallelAsync(files, async relative => (await Dcmtk.RunAsync("dcmdump", ["-q", DataFile(relative)])).ExitCode == 0);
        return files.Zip(verdicts).ToDictionary(pair => pair.First, pair => pair.Second);
    });

    /// <summary>Whether dcmdump reads the data file without error; asked once per test run for the whole corpus.</summary>
    public static async Task<bool> DcmtkReadsAsync(string relative) => (await DcmtkVerdicts.Value)[relative];

    /// <summary>Runs <paramref name="work"/> over the items with a few DCMTK processes at a time.</summary>
    public static async Task<TResult[]> InParallelAsync<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, Task<TResult>> work)
    {
        using var gate = new SemaphoreSlim(Math.Max(2, Environment.ProcessorCount * 2));
        return await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                return await work(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// A copy of a test file as DCMTK itself writes it (dcmconv, trailing padding off). storescu re-encodes what it
    /// reads (it drops Data Set Trailing Padding, for one), so only a file already in that form can be compared byte for
    /// byte with what arrives.
    /// </summary>
    public static async Task<string> DcmtkEncodedCopyAsync(string name, string folder)
    {
        var copy = Path.Combine(folder, name);
        (await Dcmtk.RunAsync("dcmconv", ["-q", "-p", File(name), copy])).EnsureSuccess($"dcmconv {name}");
        return copy;
    }

    /// <summary>The file's data set bytes, meta header aside.</summary>
    public static async Task<byte[]> DataSetBytesAsync(string path)
    {
        var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
        return (await System.IO.File.ReadAllBytesAsync(path))[(int)header.DataSetOffset..];
    }
}
