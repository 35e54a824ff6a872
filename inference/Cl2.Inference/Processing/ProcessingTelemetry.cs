using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults;

namespace Cl2.Inference.Processing;

/// <summary>The processing loop's spans (one per study, one per stage under it) and metrics, under cl2's own names.</summary>
public sealed class ProcessingTelemetry : IDisposable
{
    private readonly Meter _meter = new(Cl2Telemetry.MeterName);
    private readonly Counter<long> _studies;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _modelQueueFull;

    public ProcessingTelemetry(Func<int> queueLength, Func<int> modelQueueLength)
    {
        _studies = _meter.CreateCounter<long>("cl2.inference.studies_processed", description: "Studies with a recorded outcome, by outcome.");
        _stageDuration = _meter.CreateHistogram<double>("cl2.inference.stage_duration", unit: "ms", description: "Time a stage of processing took.");
        _meter.CreateObservableGauge("cl2.inference.queue_length", queueLength, description: "Complete studies waiting for processing.");
        _meter.CreateObservableGauge("cl2.inference.model_queue_length", modelQueueLength, description: "Studies waiting for a model run.");
        _modelQueueFull = _meter.CreateCounter<long>("cl2.inference.model_queue_full",
            description: "Times a study routed to a model found the model queue full and waited in the store.");
    }

    public static Activity? StartStudy(string studyInstanceUid) =>
        Cl2Telemetry.ActivitySource.StartActivity("inference.study")?.SetTag("dicom.study_instance_uid", studyInstanceUid);

    public static Activity? StartStage(InferenceStage stage) => Cl2Telemetry.ActivitySource.StartActivity($"inference.{stage}");

    /// <summary>A stage span under the current one, for a stage timed by someone else (the workload runner's own stages).</summary>
    public static void RecordStage(InferenceStage stage, DateTime startedAt, TimeSpan duration)
    {
        using var span = Cl2Telemetry.ActivitySource.StartActivity($"inference.{stage}", ActivityKind.Internal, parentContext: default, startTime: startedAt);
        span?.SetEndTime(startedAt + duration);
    }

    public void Stage(InferenceStage stage, double milliseconds) => _stageDuration.Record(milliseconds, new KeyValuePair<string, object?>("stage", stage.ToString()));

    public void ModelQueueFull() => _modelQueueFull.Add(1);

    public void Processed(string outcome) => _studies.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
