using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Forwarding;

/// <summary>Forwarding of received studies to labeling (section <c>Inference:Forwarding</c>); docs/configuration.md.</summary>
public sealed class ForwardingOptions : IValidatableObject
{
    public const string Section = "Inference:Forwarding";

    /// <summary>Off: studies stay in the inference store only (and nothing is pending).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Labeling's root URL (GraphQL at <c>graphql</c>, the archive at <c>dicomweb/</c>); empty: <c>Labeling:BaseAddress</c>.</summary>
    public string LabelingUrl { get; set; } = "";

    /// <summary>DICOM has no end-of-study marker: a study is forwarded once none of its instances arrived for this long.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most instances in one STOW-RS request (labeling's <c>Archive:MaxInstancesPerStow</c> must allow it).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often the store is looked at for studies that are due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between tries while labeling fails; the wait doubles from one second up to this.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After this many refusals in a row labeling's answer is taken as final: the study is stuck, no longer tried,
    /// and reported (health Degraded, state <c>stuck</c>) until an admin asks for another try. The count is kept in the
    /// ledger, so a restart does not start it again.</summary>
    public int MaxStudyAttempts { get; set; } = 10;

    /// <summary>The forwarding health check reports Degraded once something has been pending longer than this.</summary>
    public TimeSpan BacklogDegradedAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time-out of one STOW-RS or GraphQL request to labeling.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Who inference is to labeling (X-Cl2-User, with role <c>service</c>) while labeling takes its callers from the
    /// development identity headers; ignored by a labeling that has them off.</summary>
    public string ServiceUser { get; set; } = "inference";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LabelingUrl.Length > 0 && !(Uri.TryCreate(LabelingUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return new($"Inference:Forwarding:LabelingUrl '{LabelingUrl}' must be an absolute http(s) URL such as http://127.0.0.1:8081/ (or empty for Labeling:BaseAddress).");
        }
        foreach (var (name, value, least, most) in new[]
        {
            (nameof(QuietPeriod), QuietPeriod, TimeSpan.Zero, TimeSpan.FromDays(1)),
            (nameof(PollInterval), PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
            (nameof(MaxRetryDelay), MaxRetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            (nameof(BacklogDegradedAfter), BacklogDegradedAfter, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)),
            (nameof(RequestTimeout), RequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        }.Where(setting => setting.Item2 < setting.Item3 || setting.Item2 > setting.Item4))
        {
            yield return new($"Inference:Forwarding:{name} is {value}; it must be {least} to {most} (hh:mm:ss).");
        }
        if (MaxStudyAttempts is < 1 or > 1000)
        {
            yield return new("Inference:Forwarding:MaxStudyAttempts must be 1-1000.");
        }
        if (BatchSize is < 1 or > 10000)
        {
            yield return new("Inference:Forwarding:BatchSize must be 1-10000 (and at most labeling's Archive:MaxInstancesPerStow).");
        }
        if (ServiceUser.Trim().Length == 0)
        {
            yield return new("Inference:Forwarding:ServiceUser must name inference to labeling, e.g. \"inference\".");
        }
    }

    /// <summary>The labeling root to use, ending in '/' so relative paths resolve below it.</summary>
    public Uri LabelingRoot(Uri labelingBaseAddress)
    {
        var root = LabelingUrl.Length > 0 ? LabelingUrl : labelingBaseAddress.ToString();
        return new Uri(root.EndsWith('/') ? root : root + "/");
    }
}
