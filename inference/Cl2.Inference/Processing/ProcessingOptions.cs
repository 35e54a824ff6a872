using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Processing;

/// <summary>The processing of complete studies (section <c>Inference:Processing</c>); docs/configuration.md.</summary>
public sealed class ProcessingOptions : IValidatableObject
{
    public const string Section = "Inference:Processing";

    /// <summary>Off: studies are received and forwarded, but not routed or processed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Complete studies waiting for processing at most; when it is full, the next complete study waits to be queued.</summary>
    public int QueueCapacity { get; set; } = 16;

    /// <summary>How often the store is looked at for studies that became complete.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before recording an outcome again after labeling failed to take it; the wait doubles from one second.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (QueueCapacity is < 1 or > 10_000)
        {
            yield return new("Inference:Processing:QueueCapacity must be 1-10000.");
        }
        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(10))
        {
            yield return new($"Inference:Processing:PollInterval is {PollInterval}; it must be 00:00:00.01 to 00:10:00.");
        }
        if (MaxRetryDelay < TimeSpan.FromSeconds(1) || MaxRetryDelay > TimeSpan.FromHours(1))
        {
            yield return new($"Inference:Processing:MaxRetryDelay is {MaxRetryDelay}; it must be 00:00:01 to 01:00:00.");
        }
    }
}
