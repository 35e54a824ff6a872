using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Retraining;

/// <summary>How often retraining policies are checked besides after each approval and correction (section <c>Retraining</c>).</summary>
public sealed class RetrainingOptions
{
    public const string Section = "Retraining";

    /// <summary>Every policy is checked this often: schedules fire on this tick, and a count trigger missed because the
    /// check after an approval failed (PostgreSQL restarting) is caught up.</summary>
    [Range(1, 86_400)]
    public int CheckIntervalSeconds { get; set; } = 60;
}
