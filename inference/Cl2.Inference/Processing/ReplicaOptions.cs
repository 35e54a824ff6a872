using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Processing;

/// <summary>
/// Several inference replicas behind one DICOM address (section <c>Inference:Replicas</c>; docs/deploy.md, "Inference
/// replicas"). With <see cref="ClaimThroughLabeling"/> on, a study is processed by the one replica labeling gives it to,
/// on every instance the archive holds of it, wherever they arrived.
/// </summary>
public sealed class ReplicaOptions
{
    public const string Section = "Inference:Replicas";

    /// <summary>Off (one replica): the local store decides completeness and the replica processes what it received.</summary>
    public bool ClaimThroughLabeling { get; set; }

    /// <summary>This replica's name in claims (its pod name, say); empty means host name and process id.</summary>
    [MaxLength(200)]
    public string Name { get; set; } = "";

    /// <summary>How long a claimed study stays this replica's; renewed every third of it while the study is processed
    /// (<see cref="StudyClaimRenewals"/>), so it must outlast a stall of the replica, or another replica may take the study
    /// over and process it again (recorded once, but its objects delivered from both).</summary>
    [Range(1, 24 * 3600, ErrorMessage = "Inference:Replicas:LeaseSeconds is 1 to 86400 (a day).")]
    public int LeaseSeconds { get; set; } = 600;

    /// <summary>How long a delivery this replica claimed stays its own; renewed every third of it while a send is under
    /// way, so it needs to outlast only a stall of the replica, not a send. After it runs out another replica takes the
    /// delivery over.</summary>
    [Range(3, 24 * 3600, ErrorMessage = "Inference:Replicas:DeliveryLeaseSeconds is 3 to 86400 (a day).")]
    public int DeliveryLeaseSeconds { get; set; } = 60;

    /// <summary>How often the replica asks labeling for deliveries whose lease ran out (their holder died or stalled).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Inference:Replicas:DeliveryRescueInterval is 100 ms to an hour.")]
    public TimeSpan DeliveryRescueInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long labeling waits for a part of a study this replica acknowledged and has not forwarded yet before it
    /// gives the study to a replica without it; renewed every third of it while the part waits here. It bounds how long a
    /// replica that died and does not come back holds up the other replicas' part of a study; a replica restarted within it
    /// (under the same <see cref="Name"/>) forwards its part into the study's one run.</summary>
    [Range(3, 24 * 3600, ErrorMessage = "Inference:Replicas:PendingPartSeconds is 3 to 86400 (a day).")]
    public int PendingPartSeconds { get; set; } = 300;

    public string ResolvedName => Name.Length > 0 ? Name : $"{Environment.MachineName}-{Environment.ProcessId}";
}
