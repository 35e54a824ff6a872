using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Serving;

/// <summary>How model runs are queued and run (section <c>Inference:Models</c>); docs/configuration.md.</summary>
public sealed class ModelRunOptions : IValidatableObject
{
    public const string Section = "Inference:Models";

    /// <summary>Studies waiting for a model run at most. When it is full, a study routed to a model waits in the store (it is
    /// not dropped) and is queued at a later poll; the inference health check says Degraded meanwhile.</summary>
    public int QueueCapacity { get; set; } = 8;

    /// <summary>Shadow runs waiting at most for a model worker with no production study to run (each holds its study's
    /// instances in memory). A shadow run that finds them all taken is not run, and is counted as skipped.</summary>
    public int ShadowQueueCapacity { get; set; } = 4;

    /// <summary>Model runs at once. Runs of the same version take turns; different versions run side by side.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>How much neighbouring windows of 3-D sliding-window inference overlap, as a fraction of the window.</summary>
    public double SlidingWindowOverlap { get; set; } = 0.25;

    /// <summary>Windows of 3-D sliding-window inference the network sees in one forward pass.</summary>
    public int SlidingWindowBatchSize { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (QueueCapacity is < 1 or > 1000)
        {
            yield return new($"Inference:Models:QueueCapacity is {QueueCapacity}; it must be 1-1000.");
        }
        if (ShadowQueueCapacity is < 1 or > 1000)
        {
            yield return new($"Inference:Models:ShadowQueueCapacity is {ShadowQueueCapacity}; it must be 1-1000.");
        }
        if (Concurrency is < 1 or > 16)
        {
            yield return new($"Inference:Models:Concurrency is {Concurrency}; it must be 1-16.");
        }
        if (!(SlidingWindowOverlap is >= 0 and <= 0.9))
        {
            yield return new($"Inference:Models:SlidingWindowOverlap is {SlidingWindowOverlap}; it must be 0-0.9 (a fraction of the window).");
        }
        if (SlidingWindowBatchSize is < 1 or > 64)
        {
            yield return new($"Inference:Models:SlidingWindowBatchSize is {SlidingWindowBatchSize}; it must be 1-64.");
        }
    }
}
