namespace Cl2.Inference.Studies;

/// <summary>Why a study counts as complete.</summary>
public enum CompletenessReason
{
    /// <summary>Quiet for the quiet period, with the routed workload's required series all there (a brain study's four MR sequences).</summary>
    RequiredSeriesPresent,
    /// <summary>No instance arrived for the quiet period.</summary>
    QuietPeriod,
    /// <summary>Instances kept arriving until the maximum wait.</summary>
    MaxWait,
}

/// <summary>
/// Whether a study is complete. DICOM has no end-of-study marker, so a study is complete once no instance arrived for the
/// quiet period; when its routed workload names required series, it must also hold them all (a brain study waits for its
/// four MR sequences). Whatever is missing, it is complete at the maximum wait after its first instance, so a study that
/// never gets its series is processed (and recorded MISSING_SERIES) rather than held forever. Pure.
/// </summary>
public static class StudyCompleteness
{
    public static CompletenessReason? Decide(DateTimeOffset firstReceivedAt, DateTimeOffset lastReceivedAt, RequiredSeries required, TimeSpan quietPeriod,
        TimeSpan maxWait, DateTimeOffset now) =>
        now - firstReceivedAt >= maxWait ? CompletenessReason.MaxWait
        : now - lastReceivedAt < quietPeriod || required == RequiredSeries.Missing ? null
        : required == RequiredSeries.Present ? CompletenessReason.RequiredSeriesPresent
        : CompletenessReason.QuietPeriod;
}
