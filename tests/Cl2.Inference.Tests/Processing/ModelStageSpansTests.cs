using System.Collections.Concurrent;
using System.Diagnostics;
using Cl2.Dicom;
using Cl2.Inference.Processing;
using Cl2.Models;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using Cl2.ServiceDefaults;

namespace Cl2.Inference.Tests.Processing;

/// <summary>A model run as the processing loop does it, listened to on cl2's ActivitySource.</summary>
public sealed class ModelStageSpansTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-spans-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_model_run_records_one_span_per_model_stage_under_the_study_span()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Cl2Telemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.Get("liver-ct"), model, ComputeDevice.Select("cpu"), CancellationToken.None);
        var files = Directory.GetFiles(study, "*.dcm", SearchOption.AllDirectories).Select(path => DicomFile.Open(path)).ToList();

        ModelRunResult run;
        ActivitySpanId studySpan;
        using (var span = ProcessingTelemetry.StartStudy("1.2.826.0.1.3680043.10.1.1"))
        {
            studySpan = span!.SpanId;
            run = ModelStages.Run(runner, files, DateTime.UtcNow, TimeSpan.FromMilliseconds(5), "spans-test", "v1", DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var stages = stopped.Where(span => span.ParentSpanId == studySpan).ToDictionary(span => span.OperationName);
        Assert.Equal(["inference.Encode", "inference.Load", "inference.Model", "inference.Postprocess", "inference.Preprocess"], stages.Keys.Order(StringComparer.Ordinal));
        // The runner's stages are recorded with the durations it measured (the encode span is timed live, as it runs).
        foreach (var timing in run.Stages.Where(timing => timing.Stage != Labeling.Client.InferenceStage.Encode))
        {
            Assert.InRange(Math.Abs(timing.DurationMs - stages[$"inference.{timing.Stage}"].Duration.TotalMilliseconds), 0, 0.01);
        }
        Assert.True(stages["inference.Load"].Duration >= TimeSpan.FromMilliseconds(5), "the load span includes fetching the model and reading the instances");
    }
}
