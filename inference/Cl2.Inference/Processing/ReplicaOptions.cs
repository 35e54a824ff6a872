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

    /// <summary>How long a claimed study stays this replica's; it must outlast the study's processing, or another replica
    /// may take it over and process it again (recorded once, but its objects delivered from both).</summary>
    [Range(1, 24 * 3600, ErrorMessage = "Inference:Replicas:LeaseSeconds is 1 to 86400 (a day).")]
    public int LeaseSeconds { get; set; } = 600;

    public string ResolvedName => Name.Length > 0 ? Name : $"{Environment.MachineName}-{Environment.ProcessId}";
}
