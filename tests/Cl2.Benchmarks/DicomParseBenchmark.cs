using System.Diagnostics;
using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Tools;
using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench dicom-parse`: Cl2.Dicom against DCMTK's dcmdump over the same files in the same run.
/// Both sides run as one process over all files, so process start-up is paid once on each side:
/// dcmdump takes every file on one command line; ours loops in this process after a warm-up pass.
/// Two workloads: "headers" (dump every element, long values such as pixel data not loaded: our lazy values,
/// dcmdump -M) and "headers+pixels" (every value loaded, pixel data included: ours with lazy loading off and every
/// value's bytes read, then the same dump; dcmdump +M). Nothing is decoded: codecs are compared in the tests.
/// Inputs: the pydicom corpus files dcmdump reads, and a 2000-instance CT series made from CT_small.dcm with new UIDs.
/// </summary>
public static class DicomParseBenchmark
{
    private const string CorpusRoot = "/usr/lib/python3/dist-packages/pydicom/data";
    private const int Repetitions = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var instances = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var work = Directory.CreateTempSubdirectory("cl2-bench-dicom-").FullName;
        try
        {
            Console.WriteLine($"dicom-parse on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
            var corpus = await ReadableCorpusAsync();
            var series = MakeSeries(Path.Combine(CorpusRoot, "test_files", "CT_small.dcm"), Path.Combine(work, "series"), instances);
            Console.WriteLine($"{"inputs",-26} {"workload",-15} {"cl2 files/s",12} {"cl2 MB/s",9} {"dcmdump files/s",16} {"dcmdump MB/s",13} {"ratio",7}");
            foreach (var (name, files) in new[] { ("pydicom corpus", corpus), ($"CT series ({instances})", series) })
            {
                await ReportAsync(name, "headers", files, OursHeaders, ["-q", "-M"]);
                await ReportAsync(name, "headers+pixels", files, OursEverything, ["-q", "+M"]);
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task ReportAsync(string inputs, string workload, IReadOnlyList<string> files, Action<string> ours, string[] dcmdumpOptions)
    {
        var megabytes = files.Sum(file => new FileInfo(file).Length) / 1e6;
        foreach (var file in files)
        {
            ours(file); // warm-up: JIT and the page cache, for both sides
        }
        var oursBest = Best(() => { foreach (var file in files) { ours(file); } });
        var theirsBest = TimeSpan.MaxValue;
        for (var i = 0; i < Repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await Dcmtk.RunAsync("dcmdump", [.. dcmdumpOptions, .. files], TimeSpan.FromMinutes(10));
            clock.Stop();
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"dcmdump failed: {result.Error}");
            }
            theirsBest = clock.Elapsed < theirsBest ? clock.Elapsed : theirsBest;
        }
        var oursRate = files.Count / oursBest.TotalSeconds;
        var theirsRate = files.Count / theirsBest.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{inputs,-26} {workload,-15} {oursRate,12:F0} {megabytes / oursBest.TotalSeconds,9:F1} {theirsRate,16:F0} {megabytes / theirsBest.TotalSeconds,13:F1} {oursRate / theirsRate,6:F2}x"));
    }

    private static TimeSpan Best(Action run)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < Repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }
        return best;
    }

    private static void OursHeaders(string file) => DicomTool.Run(["dump", file], TextWriter.Null, TextWriter.Null);

    private static readonly DicomReaderOptions LoadEverything = DicomReaderOptions.Default with { LazyValueThreshold = long.MaxValue };

    private static void OursEverything(string file)
    {
        var dicom = DicomFile.Open(file, LoadEverything);
        Touch(dicom.FileMetaInformation);
        Touch(dicom.Dataset);
        DumpCommand.Write(TextWriter.Null, dicom);
    }

    private static long Touch(DicomDataset dataset)
    {
        long bytes = 0;
        foreach (var element in dataset)
        {
            bytes += element switch
            {
                DicomValueElement value => value.Buffer.GetBytes().Length,
                DicomSequence sequence => sequence.Items.Sum(Touch),
                DicomFragmentSequence fragments => fragments.Fragments.Sum(fragment => (long)fragment.GetBytes().Length),
                _ => 0,
            };
        }
        return bytes;
    }

    private static async Task<IReadOnlyList<string>> ReadableCorpusAsync()
    {
        var candidates = Directory.EnumerateFiles(CorpusRoot, "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains("__pycache__", StringComparison.Ordinal) && Path.GetExtension(path) is not (".py" or ".pyc" or ".json" or ".gz" or ".dump"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var readable = new List<string>();
        foreach (var file in candidates)
        {
            if ((await Dcmtk.RunAsync("dcmdump", ["-q", "-M", file])).ExitCode != 0)
            {
                continue;
            }
            try
            {
                OursEverything(file);
                readable.Add(file);
            }
            catch (DicomFormatException)
            {
                // Files only DCMTK reads are measured nowhere, so both sides parse the same set.
            }
        }
        return readable;
    }

    internal static List<string> MakeSeries(string template, string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var root = "2.25." + (BitConverter.ToUInt64(Guid.NewGuid().ToByteArray()) % 1_000_000_000_000UL).ToString(CultureInfo.InvariantCulture);
        var files = new List<string>(count);
        for (var i = 1; i <= count; i++)
        {
            var file = DicomFile.Open(template, LoadEverything);
            var instance = string.Create(CultureInfo.InvariantCulture, $"{root}.3.{i}");
            file.Dataset.SetUid(DicomTags.StudyInstanceUID, root + ".1");
            file.Dataset.SetUid(DicomTags.SeriesInstanceUID, root + ".2");
            file.Dataset.SetUid(DicomTags.SOPInstanceUID, instance);
            file.FileMetaInformation.SetUid(DicomTags.MediaStorageSOPInstanceUID, instance);
            file.Dataset.SetString(DicomTags.InstanceNumber, i.ToString(CultureInfo.InvariantCulture));
            var path = Path.Combine(folder, $"{i:D5}.dcm");
            file.Save(path);
            files.Add(path);
        }
        return files;
    }
}
