using System.Diagnostics;
using Cl2.Dicom;
using Cl2.Labeling.Client;
using Cl2.Models.Inference;

namespace Cl2.Inference.Processing;

/// <summary>A model run's result encoded as Part 10 objects (SEG when the workload segments, then SR), their SOP Instance
/// UIDs, and the time of each stage in the order they ran.</summary>
public sealed record ModelRunResult(WorkloadResult Result, IReadOnlyList<byte[]> Objects, IReadOnlyList<string> ResultUids, IReadOnlyList<StageTimingInfo> Stages);

/// <summary>
/// One model run on a study's instances and the encoding of its result (<see cref="ResultObjects"/>, UIDs named by
/// <c>uidScope</c>, so the same study and version give the same objects), with a span per model stage (load, preprocess,
/// model, postprocess, encode) under the current study span. The runner times its own stages; their spans are recorded
/// with those start and end times, laid end to end from when loading began.
/// </summary>
public static class ModelStages
{
    /// <param name="loadStartedAt">When fetching the model and reading the instances began (UTC).</param>
    /// <param name="loading">How long that took; the runner's own volume assembly is added to it as the load stage.</param>
    public static ModelRunResult Run(WorkloadRunner runner, IReadOnlyList<DicomFile> study, DateTime loadStartedAt, TimeSpan loading, string uidScope,
        string algorithmVersion, DateTimeOffset contentDateTime, CancellationToken cancellationToken)
    {
        var result = runner.Run(study, cancellationToken);
        var stages = new List<StageTimingInfo>();
        var at = loadStartedAt;
        foreach (var (stage, took) in new[]
                 {
                     (InferenceStage.Load, loading + result.Timings.Load), (InferenceStage.Preprocess, result.Timings.Preprocess),
                     (InferenceStage.Model, result.Timings.Model), (InferenceStage.Postprocess, result.Timings.Postprocess),
                 })
        {
            ProcessingTelemetry.RecordStage(stage, at, took);
            stages.Add(new StageTimingInfo(stage, took.TotalMilliseconds));
            at += took;
        }

        var encode = Stopwatch.StartNew();
        using (ProcessingTelemetry.StartStage(InferenceStage.Encode))
        {
            var objects = ResultObjects.Write(result, uidScope, algorithmVersion, contentDateTime);
            IReadOnlyList<DicomFile> files = objects.Segmentation is { } segmentation ? [segmentation, objects.Report] : [objects.Report];
            var encoded = files.Select(file =>
            {
                using var bytes = new MemoryStream();
                file.Save(bytes);
                return bytes.ToArray();
            }).ToList();
            stages.Add(new StageTimingInfo(InferenceStage.Encode, encode.Elapsed.TotalMilliseconds));
            return new ModelRunResult(result, encoded, [.. files.Select(file => file.Dataset.GetString(DicomTags.SOPInstanceUID))], stages);
        }
    }
}
