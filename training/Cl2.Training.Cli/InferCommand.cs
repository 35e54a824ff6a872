using System.Text.Json;
using Cl2.Dicom.StructuredReports;
using Cl2.Models;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;

namespace Cl2.Training.Cli;

/// <summary>
/// <c>./cl2 infer</c>: runs a workload's model on a folder of DICOM files (one study) with <see cref="WorkloadRunner"/>,
/// the path the inference service takes, and writes the result objects: a DICOM Segmentation for a segmentation
/// workload, a TID 1500 measurement report (the segments' volumes, or the classifier's finding), and <c>result.json</c>
/// (selected series and why, segment volumes or the finding, stage timings).
/// </summary>
public sealed class InferCommand : ITrainingCommand
{
    public const string SegmentationFileName = "segmentation.dcm";
    public const string ReportFileName = "report.dcm";
    public const string ResultFileName = "result.json";

    public string Name => "infer";

    public string Documentation => "docs/inference.md";

    public string Usage => "infer --model DIR --in STUDY_DIR --out DIR [--task brain-mri|liver-ct|hip-xray (the one the model fits)] [--device auto|cpu|cuda (auto)]";

    public int Run(CommandArguments arguments, TextWriter output, TextWriter error)
    {
        arguments.RequireOnly("--model", "--in", "--out", "--task", "--device");
        var modelDirectory = arguments.String("--model") ?? throw new UsageException("--model DIR is needed (a model folder as ./cl2 train writes it: weights.bin + manifest.json)");
        var studyDirectory = arguments.String("--in") ?? throw new UsageException("--in STUDY_DIR is needed (a folder of one study's DICOM files)");
        var outDirectory = arguments.String("--out") ?? throw new UsageException("--out DIR is needed");
        var workload = arguments.String("--task") is null ? null : WorkloadRegistry.For(arguments.Task());
        var preference = arguments.String("--device") ?? "auto";
        if (preference is not ("auto" or "cpu" or "cuda"))
        {
            throw new UsageException($"--device must be auto, cpu or cuda, not '{preference}'");
        }
        var device = ComputeDevice.Select(preference);

        using var runner = WorkloadRunner.LoadAsync(workload, modelDirectory, device, CancellationToken.None).GetAwaiter().GetResult();
        var skipped = new List<string>();
        error.WriteLine($"infer {runner.Workload.Name}: model {runner.Manifest.Architecture.Name} {runner.Manifest.WeightsDigest} on {device.Description}; reading {Path.GetFullPath(studyDirectory)}");
        var files = WorkloadRunner.ReadStudy(studyDirectory, skipped);
        error.WriteLine($"infer {runner.Workload.Name}: {files.Count} DICOM files" + (skipped.Count > 0 ? $", {skipped.Count} other files left out" : "") + "; running");
        var result = runner.Run(files);
        foreach (var source in result.Sources)
        {
            error.WriteLine($"  {source.Selection.Rule.Name}: {source.Selection.Reason}");
        }
        var timings = result.Timings;
        error.WriteLine(FormattableString.Invariant(
            $"infer {runner.Workload.Name}: load {timings.Load.TotalSeconds:F2} s, preprocess {timings.Preprocess.TotalSeconds:F2} s, model {timings.Model.TotalSeconds:F2} s, postprocess {timings.Postprocess.TotalSeconds:F2} s"));

        Directory.CreateDirectory(outDirectory);
        var model = runner.Manifest.ContentAddress();
        // Scoped by source series and model, so running the same model on the same study again writes the same objects.
        var objects = ResultObjects.Write(result, $"{result.Sources[0].SeriesInstanceUid}/{model}", ResultObjects.ShortAddress(model), DateTimeOffset.Now);
        var volumes = objects.Volumes;
        if (objects.Segmentation is { } segmentation)
        {
            var path = Path.Combine(outDirectory, SegmentationFileName);
            segmentation.Save(path);
            output.WriteLine($"segmentation: {Path.GetFullPath(path)}");
            foreach (var volume in volumes)
            {
                output.WriteLine(FormattableString.Invariant($"  {volume.Segment.Label,-22} {volume.Millilitres,10:F2} mL"));
            }
        }
        if (result.Classification is { } finding)
        {
            output.WriteLine(FormattableString.Invariant(
                $"{finding.Finding.Name}: {(finding.Present ? "present" : "absent")} (probability {finding.Probability:F3}, threshold {finding.Threshold:F2})"));
        }
        var reportPath = Path.Combine(outDirectory, ReportFileName);
        objects.Report.Save(reportPath);
        output.WriteLine($"report: {Path.GetFullPath(reportPath)}");
        var summary = Path.Combine(outDirectory, ResultFileName);
        File.WriteAllText(summary, JsonSerializer.Serialize(Summary(result, volumes), SummaryJson));
        output.WriteLine($"result: {Path.GetFullPath(summary)}");
        return TrainingTool.Success;
    }

    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static object Summary(WorkloadResult result, IReadOnlyList<VolumeMeasurement> volumes) => new
    {
        task = result.Workload.Name,
        model = new { contentAddress = result.Manifest.ContentAddress(), weights = result.Manifest.WeightsDigest, architecture = result.Manifest.Architecture.Name },
        series = result.Sources.Select(source => new
        {
            channel = source.Selection.Rule.Name,
            seriesInstanceUid = source.SeriesInstanceUid,
            images = source.Instances.Count,
            reason = source.Selection.Reason,
        }),
        segments = result.Segmentation?.Segments.Zip(volumes).Select(pair => new
        {
            number = pair.First.Segment.Label,
            name = pair.First.Segment.Name,
            voxels = pair.First.Voxels,
            volumeMl = Math.Round(pair.Second.Millilitres, 3),
        }),
        finding = result.Classification is { } finding
            ? new { name = finding.Finding.Name, code = finding.Finding.Finding.ToString(), finding.Probability, finding.Present, finding.Threshold }
            : null,
        timingsSeconds = new
        {
            load = result.Timings.Load.TotalSeconds,
            preprocess = result.Timings.Preprocess.TotalSeconds,
            model = result.Timings.Model.TotalSeconds,
            postprocess = result.Timings.Postprocess.TotalSeconds,
        },
    };
}
