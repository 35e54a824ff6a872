using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Studies;

/// <summary>When a received study is complete enough to process (section <c>Inference:Completeness</c>); docs/configuration.md.</summary>
public sealed class CompletenessOptions : IValidatableObject
{
    public const string Section = "Inference:Completeness";

    /// <summary>DICOM has no end-of-study marker: a study is complete once none of its instances arrived for this long.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The quiet period for studies from one calling AE (a scanner that sends slowly), by AE title.</summary>
    public Dictionary<string, TimeSpan> QuietPeriodByCallingAe { get; set; } = [];

    /// <summary>A study whose instances keep trickling in is taken as complete this long after its first instance.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan QuietPeriodFor(string callingAeTitle) => QuietPeriodByCallingAe.GetValueOrDefault(callingAeTitle.Trim(), QuietPeriod);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in QuietPeriodByCallingAe.Select(entry => ($"QuietPeriodByCallingAe:{entry.Key}", entry.Value)).Prepend(("QuietPeriod", QuietPeriod)))
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                yield return new($"Inference:Completeness:{name} is {value}; it must be 00:00:00 to 1.00:00:00.");
            }
        }
        if (MaxWait < TimeSpan.FromSeconds(1) || MaxWait > TimeSpan.FromDays(7))
        {
            yield return new($"Inference:Completeness:MaxWait is {MaxWait}; it must be 00:00:01 to 7.00:00:00.");
        }
    }
}
