using System.Globalization;
using System.Security.Cryptography;
using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Cl2.Training.Cli;

namespace Cl2.Training.Tests.Inference;

/// <summary><c>./cl2 infer</c> with a model <c>./cl2 train</c> made, on a synthetic study it never saw.</summary>
public sealed class InferCommandTests(TrainedLiverModel model) : IClassFixture<TrainedLiverModel>, IDisposable
{
    // Per SEG frame: referenced segment number, z of Image Position (Patient), SHA-256 of the frame's 0/1 bytes.
    private const string ReadFrames = """
        import sys, hashlib, numpy, pydicom
        seg = pydicom.dcmread(sys.argv[1])
        pixels = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns).astype(numpy.uint8)
        for i, frame in enumerate(seg.PerFrameFunctionalGroupsSequence):
            number = frame.SegmentIdentificationSequence[0].ReferencedSegmentNumber
            z = float(frame.PlanePositionSequence[0].ImagePositionPatient[2])
            print(number, "%.3f" % z, hashlib.sha256(pixels[i].tobytes()).hexdigest())
        """;

    private readonly string _output = Directory.CreateTempSubdirectory("cl2-infer-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Theory]
    [InlineData(InferCommand.SegmentationFileName, "Segmentation")]
    [InlineData(InferCommand.ReportFileName, "EnhancedSR")]
    public async Task cl2_infer_writes_result_objects_that_dciodvfy_accepts(string file, string iod)
    {
        var (code, printed, log) = Infer("--model", model.ModelDirectory, "--in", model.StudyDirectory, "--out", _output);
        Assert.True(code == TrainingTool.Success, log);
        Assert.Contains("infer liver-ct: load ", log);
        Assert.Matches(@"liver +\d+\.\d\d mL", printed);

        await AssertNoDciodvfyErrorsAsync(Path.Combine(_output, file), iod);
    }

    [Fact]
    public async Task the_segmentation_read_back_by_the_projects_reader_holds_the_runners_masks()
    {
        Assert.Equal(TrainingTool.Success, Infer("--model", model.ModelDirectory, "--in", model.StudyDirectory, "--out", _output).Code);
        using var runner = await WorkloadRunner.LoadAsync(null, model.ModelDirectory, ComputeDevice.Select("cpu"), CancellationToken.None);
        var expected = runner.Run(model.StudyDirectory).Segmentation!;

        var sources = Directory.GetFiles(Path.Combine(model.StudyDirectory, "CT"), "*.dcm").Select(path => DicomFile.Open(path).Dataset).ToList();
        var read = SegmentationReader.Read(DicomFile.Open(Path.Combine(_output, InferCommand.SegmentationFileName)).Dataset, sources);
        Assert.Equal(expected.Segments.Select(segment => segment.Segment.Name), read.Segments.Select(segment => segment.Description.Label));
        foreach (var (mine, theirs) in expected.Segments.Zip(read.Segments))
        {
            Assert.True(mine.Mask.AsSpan().SequenceEqual(theirs.Voxels), $"segment {mine.Segment.Name} differs");
        }
    }

    [Fact]
    public async Task cl2_infer_reports_a_hip_finding_in_a_structured_report_that_dciodvfy_accepts()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.HipXray, Path.Combine(_output, "hip"), size: 64);
        var workload = WorkloadRegistry.Get("hip-xray");
        TorchSharp.torch.random.manual_seed(1);
        using (var network = workload.CreateNetwork())
        {
            await Checkpoint.WriteAsync(network, new CheckpointManifest(workload.Architecture, new InputSpec(workload.Channels, spacing),
                workload.Output, new TrainingLineage(null, null, "test"), ""), Path.Combine(_output, "hip-model"), CancellationToken.None);
        }
        var (code, printed, log) = Infer("--model", Path.Combine(_output, "hip-model"), "--in", study, "--out", Path.Combine(_output, "hip-result"));
        Assert.True(code == TrainingTool.Success, log);
        Assert.Matches(@"fracture: (present|absent) \(probability [01]\.\d{3}, threshold 0\.50\)", printed);
        Assert.False(File.Exists(Path.Combine(_output, "hip-result", InferCommand.SegmentationFileName)));
        await AssertNoDciodvfyErrorsAsync(Path.Combine(_output, "hip-result", InferCommand.ReportFileName), "EnhancedSR");
    }

    [Fact]
    public async Task the_segmentations_frames_read_by_pydicom_are_the_runners_masks()
    {
        var (code, _, log) = Infer("--model", model.ModelDirectory, "--in", model.StudyDirectory, "--out", _output, "--task", "liver-ct");
        Assert.True(code == TrainingTool.Success, log);
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.Get("liver-ct"), model.ModelDirectory, ComputeDevice.Select("cpu"), CancellationToken.None);
        var expected = ExpectedFrames(runner.Run(model.StudyDirectory));

        var script = Path.Combine(_output, "read_frames.py");
        await File.WriteAllTextAsync(script, ReadFrames);
        var read = (await ProcessRunner.RunAsync("/usr/bin/python3", [script, Path.Combine(_output, InferCommand.SegmentationFileName)]))
            .EnsureSuccess("pydicom reading the SEG");
        var frames = read.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(frames);
        Assert.Equal(expected, frames);
    }

    [Fact]
    public void cl2_infer_with_the_wrong_task_says_what_in_the_model_does_not_fit()
    {
        var (code, _, log) = Infer("--model", model.ModelDirectory, "--in", model.StudyDirectory, "--out", _output, "--task", "hip-xray");
        Assert.Equal(TrainingTool.Failure, code);
        Assert.Contains("infer: MANIFEST_DOES_NOT_FIT: the model does not fit hip-xray: its UNet takes 1 channel(s) and gives 3 in 3-D", log);
    }

    [Fact]
    public void cl2_infer_on_a_study_without_the_series_it_needs_names_the_series_seen()
    {
        var hip = SyntheticCohort.Write(WorkloadTask.HipXray, Path.Combine(_output, "hip"), cases: 1, seed: 2, size: 32);
        var (code, _, log) = Infer("--model", model.ModelDirectory, "--in", Path.Combine(_output, "hip", hip.Cases[0].Id), "--out", _output);
        Assert.Equal(TrainingTool.Failure, code);
        Assert.Contains("SERIES_NOT_FOUND: no CT series for liver-ct", log);
        Assert.Contains("'PELVIS AP' (DX, 1 image) — modality DX, not CT", log);
    }

    [Fact]
    public void cl2_infer_without_a_model_folder_says_what_one_holds()
    {
        var (code, _, log) = Infer("--model", _output, "--in", model.StudyDirectory, "--out", _output);
        Assert.Equal(TrainingTool.Failure, code);
        Assert.Contains("MODEL_UNREADABLE", log);
        Assert.Contains("has no manifest.json", log);
    }

    [Fact]
    public void cl2_infer_help_prints_its_usage()
    {
        var (code, printed, _) = Infer("--help");
        Assert.Equal(TrainingTool.Success, code);
        Assert.Contains("infer --model DIR --in STUDY_DIR --out DIR", printed);
    }

    internal static async Task AssertNoDciodvfyErrorsAsync(string path, string iod)
    {
        var result = await ProcessRunner.RunAsync("/usr/bin/dciodvfy", [path]);
        var printed = result.Output + result.Error;
        Assert.True(!printed.Split('\n').Any(line => line.StartsWith("Error", StringComparison.Ordinal)), printed);
        Assert.Contains(iod, printed);
    }

    private static (int Code, string Output, string Error) Infer(params string[] arguments)
    {
        using var printed = new StringWriter();
        using var log = new StringWriter();
        var code = TrainingTool.Run(["infer", .. arguments], printed, log);
        return (code, printed.ToString(), log.ToString());
    }

    /// <summary>The frames a SEG of the result must hold: one per segment and slice with voxels, as ReadFrames prints them.</summary>
    private static List<string> ExpectedFrames(WorkloadResult result)
    {
        var segmentation = result.Segmentation!;
        var reference = result.Sources[0];
        var sliceVoxels = segmentation.Height * segmentation.Width;
        var frames = new List<string>();
        foreach (var segment in segmentation.Segments)
        {
            for (var z = 0; z < segmentation.Depth; z++)
            {
                var slice = segment.Mask.AsSpan(z * sliceVoxels, sliceVoxels);
                if (!slice.Contains((byte)1))
                {
                    continue;
                }
                var position = reference.Instances[z].GetValues<double>(DicomTags.ImagePositionPatient)[2];
                frames.Add($"{segment.Segment.Label} {position.ToString("F3", CultureInfo.InvariantCulture)} {Convert.ToHexStringLower(SHA256.HashData(slice))}");
            }
        }
        return [.. frames.Order(StringComparer.Ordinal)];
    }
}
