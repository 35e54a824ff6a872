using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Client;

/// <summary>
/// How calls to labeling are retried when they failed without reaching labeling's handler (section <c>Labeling:Retry</c>;
/// <see cref="LabelingRetryHandler"/> says which failures those are). docs/configuration.md.
/// </summary>
public sealed class LabelingRetryOptions : IValidatableObject
{
    public const string Section = "Labeling:Retry";

    /// <summary>Tries in all, the first included; 1 retries nothing.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait before the first retry; it doubles for each next one, up to <see cref="MaxDelay"/>. Each wait is
    /// drawn between half of it and all of it, so callers that failed together do not come back together.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>No retry starts whose wait would end later than this after the first try: the call then fails as it did
    /// without retries. It counts within the HTTP client's own time-out, which ends the call whatever this says.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first), with <paramref name="jitter"/>
    /// (0 to 1) choosing where between half and all of it.</summary>
    public TimeSpan Delay(int retry, double jitter)
    {
        var full = TimeSpan.FromTicks((long)Math.Min(FirstDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 30)), MaxDelay.Ticks));
        return full * (0.5 + (jitter / 2));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxAttempts is < 1 or > 100)
        {
            yield return new($"{Section}:MaxAttempts is {MaxAttempts}; it must be 1-100 (1: no retries).");
        }
        foreach (var (name, value, least, most) in new[]
        {
            (nameof(FirstDelay), FirstDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
            (nameof(MaxDelay), MaxDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)),
            (nameof(Window), Window, TimeSpan.Zero, TimeSpan.FromHours(1)),
        }.Where(setting => setting.Item2 < setting.Item3 || setting.Item2 > setting.Item4))
        {
            yield return new($"{Section}:{name} is {value}; it must be {least} to {most} (hh:mm:ss).");
        }
        if (MaxDelay < FirstDelay)
        {
            yield return new($"{Section}:MaxDelay ({MaxDelay}) must not be shorter than {Section}:FirstDelay ({FirstDelay}).");
        }
    }
}
