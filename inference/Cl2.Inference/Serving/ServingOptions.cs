using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Serving;

/// <summary>How inference learns which model version is in production (section <c>Inference:Serving</c>); docs/configuration.md.</summary>
public sealed class ServingOptions : IValidatableObject
{
    public const string Section = "Inference:Serving";

    /// <summary>How long a production version read from labeling is used before it is read again. The <c>modelPromoted</c>
    /// subscription makes a promotion take effect at once; this bounds how late one is seen while the subscription is down.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromHours(1))
        {
            yield return new($"Inference:Serving:PollInterval is {PollInterval}; it must be 00:00:00.1 to 01:00:00.");
        }
    }
}
