using System.Diagnostics.Metrics;
using Cl2.Dicom;
using Cl2.Labeling.Client;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using Cl2.ServiceDefaults;

namespace Cl2.Inference.Serving;

/// <summary>
/// Runs a model's shadow version on a study production has just run on, and records in labeling how far the two agreed
/// (<see cref="ShadowAgreement"/>), with the shadow's output kept as a blob (<see cref="ShadowOutput"/>). A shadow's result is never encoded, delivered or recorded as an inference result: no
/// SEG or SR is made, nothing enters the delivery outbox. It runs after production's result is recorded and handed to the
/// outbox, so it never delays or changes that result, and only when its model worker has no production study waiting
/// (<see cref="Processing.ModelQueue"/>); a shadow run that fails is logged and counted, and production's result stands.
/// </summary>
public sealed class ShadowRuns(ModelRunners runners, IServiceProvider services, ILogger<ShadowRuns> logger)
{
    // One counter for the process: every host in it counts on cl2's meter.
    private static readonly Counter<long> Runs = new Meter(Cl2Telemetry.MeterName).CreateCounter<long>("cl2.inference.shadow_runs",
        description: "Shadow runs beside production, by outcome (recorded, failed, skipped: not run, too many waiting).");

    /// <returns>What labeling recorded, or null when the shadow run or its recording failed (logged and counted).</returns>
    public async Task<ShadowResultInfo?> RunAsync(ModelVersionInfo shadow, Workload workload, IReadOnlyList<DicomFile> study, WorkloadResult production,
        Guid productionResultId, CancellationToken cancellationToken)
    {
        try
        {
            var runner = await runners.GetAsync(shadow, workload, cancellationToken);
            WorkloadResult result;
            lock (runner)
            {
                // Runs of one version take turns (its network is one module), as production's do.
                result = runner.Run(study, cancellationToken);
            }
            var agreement = ShadowAgreement.Of(production, result);
            // The output is kept for the comparison with a radiologist's later verdict, which labeling makes (docs/closed-loop.md).
            using var output = new MemoryStream(ShadowOutput.Of(result));
            var outputDigest = await new BlobClient(services.GetRequiredService<IHttpClientFactory>().CreateClient(ModelRunners.BlobClientName))
                .UploadAsync(output, $"shadow version {shadow.Number}'s output", cancellationToken);
            var recorded = await services.GetRequiredService<LabelingClient>().RecordShadowResultAsync(
                new RecordShadowResultInput(productionResultId, shadow.Id, agreement, outputDigest), cancellationToken);
            Count("recorded");
            logger.LogInformation("Shadow version {Version} ran on study {StudyInstanceUid} beside production: agreement {Agreement:0.####}, nothing delivered",
                shadow.Number, recorded.StudyInstanceUid, recorded.Agreement);
            return recorded;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Count("failed");
            logger.LogWarning(e, "Shadow version {Version} (model {ModelId}) failed beside production result {ResultId}; production's result stands",
                shadow.Number, shadow.ModelId, productionResultId);
            return null;
        }
    }

    /// <summary>A shadow run left out because <paramref name="capacity"/> shadow runs wait already: production keeps its pace,
    /// the shadow report has one study fewer.</summary>
    public void Skip(ModelVersionInfo shadow, string studyInstanceUid, int capacity)
    {
        Count("skipped");
        logger.LogDebug("Shadow version {Version} (model {ModelId}) skipped study {StudyInstanceUid}: {Capacity} shadow runs wait already (Inference:Models:ShadowQueueCapacity)",
            shadow.Number, shadow.ModelId, studyInstanceUid, capacity);
    }

    private static void Count(string outcome) => Runs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
