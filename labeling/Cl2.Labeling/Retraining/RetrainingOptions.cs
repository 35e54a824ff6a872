using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Retraining;

/// <summary>How often retraining policies are checked besides after each approval and correction, and which corrections
/// they count (section <c>Retraining</c>).</summary>
public sealed class RetrainingOptions
{
    public const string Section = "Retraining";

    /// <summary>Every policy is checked this often: schedules fire on this tick, and a count trigger missed because the
    /// check after an approval failed (PostgreSQL restarting) is caught up.</summary>
    [Range(1, 86_400)]
    public int CheckIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// A correction counts towards a count trigger only once labeling's archive holds its study: a job triggered before
    /// could not read the study's images and would skip the case. The periodic check counts it once the study is stored.
    /// Turn it off when the training worker reads images from another DICOMweb archive than labeling's.
    /// </summary>
    public bool CountCorrectionsWhenArchived { get; set; } = true;
}
