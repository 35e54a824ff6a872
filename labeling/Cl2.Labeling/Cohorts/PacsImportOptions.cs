using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// How labeling replicas share PACS imports (section <c>Pacs:Imports</c>): each import is run by the replica that holds
/// its lease, and every replica looks for running imports whose holder let the lease run out and takes them over.
/// </summary>
public sealed class PacsImportOptions
{
    public const string Section = "Pacs:Imports";

    /// <summary>This replica's name in the import's claims (a pod name, say); empty: the host name and the process id, so
    /// a restarted process is a new holder and waits for its predecessor's lease to run out like any other replica.</summary>
    [StringLength(200)]
    public string Replica { get; set; } = "";

    /// <summary>How long a claim holds without renewal. The holder renews every third of it while the import runs, so a
    /// replica that dies or hangs loses the import this long after its last renewal.</summary>
    [Range(3, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>How often each replica looks for running imports nobody holds (their holder's lease ran out) and takes
    /// them over; also what happens once at start-up.</summary>
    [Range(1, 3600)]
    public int RescueIntervalSeconds { get; set; } = 15;

    private readonly string _processName = $"{Environment.MachineName}-{Environment.ProcessId}";

    public string EffectiveReplica => Replica.Trim() is { Length: > 0 } named ? named : _processName;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}
