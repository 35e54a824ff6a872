using System.Globalization;
using System.Security.Cryptography;
using Cl2.Dicom;
using Cl2.Dicom.Segmentation;

namespace Cl2.EndToEnd.Serving;

/// <summary>What the serving tests check on a result object as the PACS holds it, each with a peer that is not cl2:
/// dciodvfy, python3-pydicom, and for the SEG the project's reader beside pydicom.</summary>
internal static class DeliveredResults
{
    // Per SEG frame: referenced segment number, z of Image Position (Patient), SHA-256 of the frame's 0/1 bytes.
    private const string SegmentationFrames = """
        import sys, hashlib, numpy, pydicom
        seg = pydicom.dcmread(sys.argv[1])
        pixels = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns).astype(numpy.uint8)
        for i, frame in enumerate(seg.PerFrameFunctionalGroupsSequence):
            number = frame.SegmentIdentificationSequence[0].ReferencedSegmentNumber
            z = float(frame.PlanePositionSequence[0].ImagePositionPatient[2])
            print(number, "%.3f" % z, hashlib.sha256(pixels[i].tobytes()).hexdigest())
        """;

    // Every coded content item of an SR as "concept name meaning=code value", every text item as "meaning=text" and every
    // numeric one as "meaning=numeric value".
    private const string ReportItems = """
        import sys, pydicom
        def walk(items):
            for item in items:
                name = item.ConceptNameCodeSequence[0].CodeMeaning if "ConceptNameCodeSequence" in item else ""
                if item.ValueType == "CODE":
                    print("%s=%s" % (name, item.ConceptCodeSequence[0].CodeValue))
                elif item.ValueType == "TEXT":
                    print("%s=%s" % (name, item.TextValue))
                elif item.ValueType == "NUM" and "MeasuredValueSequence" in item:
                    print("%s=%s" % (name, item.MeasuredValueSequence[0].NumericValue))
                walk(item.get("ContentSequence", []))
        walk(pydicom.dcmread(sys.argv[1]).ContentSequence)
        """;

    /// <summary>Until the study's <paramref name="results"/> objects are in Orthanc and its outcome is recorded in labeling:
    /// inference hands the objects to its outbox before it records the outcome, so Orthanc can have them a moment before
    /// labeling has the outcome.</summary>
    public static Task UntilDeliveredAndRecordedAsync(ServingPlatform platform, string study, int results, string what, TimeSpan within) =>
        platform.UntilAsync(async () => (await platform.ResultIdsInPacsAsync(study)).Count >= results
            && (await platform.OutcomesAsync(study)).GetProperty("totalCount").GetInt32() > 0, what, within);

    /// <summary>Writes the object to <paramref name="folder"/> and returns its path.</summary>
    public static string Save(DeliveredInstance instance, string folder)
    {
        var path = Path.Combine(folder, instance.SopInstanceUid + ".dcm");
        File.WriteAllBytes(path, instance.Bytes);
        return path;
    }

    /// <summary>dciodvfy's Error lines (none expected) and its whole output.</summary>
    public static async Task AssertNoDciodvfyErrorsAsync(string path, string iod)
    {
        var result = await ProcessRunner.RunAsync("/usr/bin/dciodvfy", [path]);
        var printed = result.Output + result.Error;
        Assert.True(!printed.Split('\n').Any(line => line.StartsWith("Error", StringComparison.Ordinal)), $"dciodvfy on {Path.GetFileName(path)}:\n{printed}");
        Assert.Contains(iod, printed, StringComparison.Ordinal);
    }

    /// <summary>DCMTK's dcmdump reads the object without a warning (W:) or error (E:) line and exits 0.</summary>
    public static async Task AssertDcmdumpReadsWithoutWarningsAsync(string path)
    {
        var result = await Dcmtk.RunAsync("dcmdump", ["-dc", path]);
        var printed = result.Output + result.Error;
        Assert.True(result.ExitCode == 0 && !printed.Split('\n').Any(line => line.StartsWith("W:", StringComparison.Ordinal) || line.StartsWith("E:", StringComparison.Ordinal)),
            $"dcmdump on {Path.GetFileName(path)} (exit {result.ExitCode}):\n{printed}");
    }

    /// <summary>The SEG's frames as pydicom reads them ("segment z sha256"), sorted.</summary>
    public static async Task<IReadOnlyList<string>> FramesByPydicomAsync(string path) =>
        Lines(await PythonAsync(SegmentationFrames, path, "pydicom reading the SEG"));

    /// <summary>The SR's coded and text content items as pydicom reads them ("meaning=value").</summary>
    public static async Task<IReadOnlyList<string>> ReportItemsByPydicomAsync(string path) =>
        Lines(await PythonAsync(ReportItems, path, "pydicom reading the SR"));

    /// <summary>The same frames from the project's reader: one per segment and slice with voxels.</summary>
    public static IReadOnlyList<string> Frames(ReadSegmentation read)
    {
        var sliceVoxels = read.SourceGrid.Rows * read.SourceGrid.Columns;
        var frames = new List<string>();
        foreach (var segment in read.Segments)
        {
            for (var z = 0; z < read.SourceGrid.Slices.Count; z++)
            {
                var slice = segment.Voxels.AsSpan(z * sliceVoxels, sliceVoxels);
                if (slice.Contains((byte)1))
                {
                    var position = read.SourceGrid.Slices[z].ImagePosition.Z.ToString("F3", CultureInfo.InvariantCulture);
                    frames.Add($"{segment.Description.Number} {position} {Convert.ToHexStringLower(SHA256.HashData(slice))}");
                }
            }
        }
        return [.. frames.Order(StringComparer.Ordinal)];
    }

    /// <summary>Dice of the union of every segment against the voxels whose ground-truth class is not background.</summary>
    public static double DiceOfAllSegments(ReadSegmentation read, byte[] groundTruthClasses)
    {
        long both = 0, predicted = 0, truth = 0;
        for (var i = 0; i < groundTruthClasses.Length; i++)
        {
            var inside = read.Segments.Any(segment => segment.Voxels[i] != 0);
            var expected = groundTruthClasses[i] != 0;
            both += inside && expected ? 1 : 0;
            predicted += inside ? 1 : 0;
            truth += expected ? 1 : 0;
        }
        return predicted + truth == 0 ? 1 : 2.0 * both / (predicted + truth);
    }

    /// <summary>The version an object says made it: the SEG's Segment Algorithm Names and the SR's device observer model
    /// name end in <c>v{number}</c>. Every name in the object must agree, or this fails.</summary>
    public static int VersionNamed(DicomDataset dataset)
    {
        IEnumerable<string> names = dataset.GetString(DicomTags.Modality) == "SEG"
            ? dataset.GetSequence(DicomTags.SegmentSequence).Items.Select(item => item.GetString(DicomTags.SegmentAlgorithmName))
            : TextItems(dataset).Where(item => item.Name == "Device Observer Model Name").Select(item => item.Text);
        var numbers = names.Select(name => int.Parse(name[(name.LastIndexOf(" v", StringComparison.Ordinal) + 2)..], CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(numbers.Count == 1, $"the object names versions {string.Join(", ", numbers)}");
        return numbers[0];
    }

    private static IEnumerable<(string Name, string Text)> TextItems(DicomDataset dataset)
    {
        if (!dataset.Contains(DicomTags.ContentSequence))
        {
            yield break;
        }
        foreach (var item in dataset.GetSequence(DicomTags.ContentSequence).Items)
        {
            if (item.GetString(DicomTags.ValueType) == "TEXT")
            {
                yield return (item.GetSequence(DicomTags.ConceptNameCodeSequence).Items[0].GetString(DicomTags.CodeMeaning), item.GetString(DicomTags.TextValue));
            }
            foreach (var inner in TextItems(item))
            {
                yield return inner;
            }
        }
    }

    private static async Task<string> PythonAsync(string script, string path, string what)
    {
        var file = Path.Combine(Path.GetDirectoryName(path)!, $"{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, script);
        return (await ProcessRunner.RunAsync("/usr/bin/python3", [file, path])).EnsureSuccess(what).Output;
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
}
