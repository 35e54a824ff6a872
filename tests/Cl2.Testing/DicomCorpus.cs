namespace Cl2.Testing;

/// <summary>python3-pydicom's data files (Debian's package, the real DICOM corpus): test files, character set files and palettes, recursively.</summary>
public static class DicomCorpus
{
    public const string Root = "/usr/lib/python3/dist-packages/pydicom/data";

    private static readonly string[] NotData = [".py", ".pyc", ".json", ".gz", ".dump"];

    public static IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains("__pycache__", StringComparison.Ordinal) && !NotData.Contains(Path.GetExtension(path)))
            .Select(path => Path.GetRelativePath(Root, path))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static readonly Lazy<Task<IReadOnlyDictionary<string, bool>>> DcmtkVerdicts = new(async () =>
    {
        var files = Files();
        var verdicts = await InParallelAsync(files, async relative => (await Dcmtk.RunAsync("dcmdump", ["-q", PathOf(relative)])).ExitCode == 0);
        return files.Zip(verdicts).ToDictionary(pair => pair.First, pair => pair.Second);
    });

    /// <summary>Whether dcmdump reads the file without error; asked once per test run for the whole corpus.</summary>
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
}
