using System.ComponentModel.DataAnnotations;

namespace Cl2.ServiceDefaults.Audit;

/// <summary>The access audit (section <c>Audit</c>): how records are batched on their way to the store, and how long the
/// store keeps them. docs/security.md.</summary>
public sealed class AuditOptions : IValidatableObject
{
    public const string Section = "Audit";

    /// <summary>Off records nothing (benchmarks compare the two; never switch it off in a hospital).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Records are written at most this long after they happen, in one transaction per batch.</summary>
    [Range(1, 60_000, ErrorMessage = "Audit:FlushMilliseconds must be 1-60000.")]
    public int FlushMilliseconds { get; set; } = 200;

    /// <summary>A batch is written as soon as it has this many records.</summary>
    [Range(1, 100_000, ErrorMessage = "Audit:MaxBatch must be 1-100000.")]
    public int MaxBatch { get; set; } = 500;

    /// <summary>Records waiting in memory at most; when the store falls this far behind, requests wait for it rather than
    /// go unrecorded. A crash loses what waits here (at most this many, usually one flush interval's worth).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Audit:Capacity must be 1-1000000.")]
    public int Capacity { get; set; } = 10_000;

    /// <summary>Records older than this are purged (labeling, which keeps them). Six years by default (HIPAA's retention
    /// of security documentation); a hospital's policy may ask for more.</summary>
    [Range(1, 36_500, ErrorMessage = "Audit:RetentionDays must be 1-36500.")]
    public int RetentionDays { get; set; } = 2190;

    /// <summary>How often labeling purges records past <see cref="RetentionDays"/> (and once at start).</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Labeling records what each subscription pushed (the studies and patients its events disclosed) once per
    /// this interval, as one record, and when the subscription ends.</summary>
    public TimeSpan PushedEventsInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PurgeInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Audit:PurgeInterval must be positive, such as 01:00:00.");
        }
        if (PushedEventsInterval < TimeSpan.FromMilliseconds(10) || PushedEventsInterval > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult("Audit:PushedEventsInterval must be 00:00:00.010 to 01:00:00, such as 00:00:10.");
        }
    }
}
