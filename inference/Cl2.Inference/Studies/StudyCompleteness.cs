namespace Cl2.Inference.Studies;

/// <summary>Why a study counts as complete.</summary>
public enum CompletenessReason
{
    /// <summary>The workload's required series are all there (a brain study's four MR sequences).</summary>
    RequiredSeriesPresent,
    /// <summary>No instance arrived for the quiet period.</summary>
    QuietPeriod,
    /// <summary>Instances kept arriving until the maximum wait.</summary>
    MaxWait,
}

/// <summary>
/// Whether a study is complete: whichever comes first of its workload's required series being present (when the
/// workload names any), the quiet period after its last instance, and the maximum wait after its first. Pure.
/// </summary>
public static class StudyCompleteness
{
    /// <param name="requiredSeriesPresent">True when the routed workload names required series and the study has them all.</param>
    public static CompletenessReason? Decide(DateTimeOffset firstReceivedAt, DateTimeOffset lastReceivedAt, bool requiredSeriesPresent, TimeSpan quietPeriod,
        TimeSpan maxWait, DateTimeOffset now) =>
        requiredSeriesPresent ? CompletenessReason.RequiredSeriesPresent
        : now - lastReceivedAt >= quietPeriod ? CompletenessReason.QuietPeriod
        : now - firstReceivedAt >= maxWait ? CompletenessReason.MaxWait
        : null;
}
