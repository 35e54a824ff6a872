using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Routing;

/// <summary>How inference keeps its copy of labeling's routing table (section <c>Inference:Routing</c>); docs/configuration.md.</summary>
public sealed class RoutingOptions : IValidatableObject
{
    public const string Section = "Inference:Routing";

    /// <summary>How often the table is read from labeling; between reads, and while labeling is unreachable, the last copy routes.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest one series description pattern may take to match; a pattern that takes longer does not match, and the decision says so.</summary>
    public TimeSpan PatternTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RefreshInterval < TimeSpan.FromMilliseconds(100) || RefreshInterval > TimeSpan.FromHours(1))
        {
            yield return new($"Inference:Routing:RefreshInterval is {RefreshInterval}; it must be 00:00:00.1 to 01:00:00.");
        }
        if (PatternTimeout < TimeSpan.FromMilliseconds(1) || PatternTimeout > TimeSpan.FromSeconds(10))
        {
            yield return new($"Inference:Routing:PatternTimeout is {PatternTimeout}; it must be 00:00:00.001 to 00:00:10.");
        }
    }
}
