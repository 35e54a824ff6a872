using System.ComponentModel.DataAnnotations;
using Cl2.Models.Workloads;

namespace Cl2.Training.Jobs;

/// <summary>
/// How the worker takes jobs from labeling and what it trains on. A job that names a dataset trains on its labelled
/// cases read from the archive; one without trains its model's task (<c>brain-mri</c>, <c>liver-ct</c> or
/// <c>hip-xray</c>) on a synthetic cohort sized here. Every worker that may pick up a job must use the same cohort and
/// schedule settings, or a resumed job would not continue the run it was cut from.
/// </summary>
public sealed class TrainingJobOptions : IValidatableObject
{
    public const string Section = "Training:Jobs";

    /// <summary>The name the worker claims jobs as; empty means host name and process id.</summary>
    [MaxLength(200)]
    public string WorkerName { get; set; } = "";

    /// <summary>How long to wait before asking again when no job is waiting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Training:Jobs:PollInterval is 50 ms to 1 hour, e.g. 00:00:05.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a claim lasts without a renewal. The worker renews it every <see cref="LeaseRenewalInterval"/> while the
    /// job runs (reading the data included), so it only needs to outlast a worker that stopped answering.
    /// </summary>
    [Range(1, 24 * 3600)]
    public int LeaseSeconds { get; set; } = 300;

    /// <summary>How often the lease of the running job is renewed; unset means a third of <see cref="LeaseSeconds"/>. Must be shorter than the lease.</summary>
    public TimeSpan? LeaseRenewalInterval { get; set; }

    /// <summary>How often the running job asks labeling whether it was cancelled (cancelTrainingJob).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Training:Jobs:CancellationPollInterval is 100 ms to 1 hour, e.g. 00:00:05.")]
    public TimeSpan CancellationPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where jobs write cohorts and checkpoints; empty means a folder under the system's temporary folder.</summary>
    public string WorkDirectory { get; set; } = "";

    /// <summary>The DICOMweb service root dataset images are retrieved from; empty means labeling's archive (<c>dicomweb/</c> under Labeling:BaseAddress).</summary>
    [Url]
    public string? DicomWebBaseAddress { get; set; }

    [Range(4, 100_000)]
    public int SyntheticCases { get; set; } = 24;

    /// <summary>Voxels per side of the synthetic cohort (pixels for hip radiographs); 0 uses the task's default.</summary>
    [Range(0, 1024)]
    public int SyntheticSize { get; set; }

    /// <summary>Epochs of a job that does not set its own (requestTraining's recipe).</summary>
    [Range(1, 10_000)]
    public int Epochs { get; set; } = 12;

    [Range(0, int.MaxValue)]
    public int Seed { get; set; } = 1;

    /// <summary>
    /// The network a job without a base version trains: <c>Reference</c>, the workload's (SegResNet, DenseNet-121), or
    /// <c>Small</c>, its small sibling, for quick runs on a CPU (the test suite, <c>./cl2 demo --quick</c>). A job with a
    /// base fine-tunes the base's network.
    /// </summary>
    [EnumDataType(typeof(NetworkChoice), ErrorMessage = "Training:Jobs:Network is Reference or Small.")]
    public NetworkChoice Network { get; set; } = NetworkChoice.Reference;

    /// <summary>
    /// How many training jobs the worker runs before it stops by itself (exit code 0); unset means it runs until it is
    /// stopped. A batch allocation (Slurm) or a Kubernetes Job that should end when its work is done sets it.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Training:Jobs:MaxJobs is 1 to 1000000, or unset for a worker that runs until it is stopped.")]
    public int? MaxJobs { get; set; }

    public TimeSpan ResolvedLeaseRenewalInterval => LeaseRenewalInterval ?? TimeSpan.FromSeconds(LeaseSeconds / 3.0);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseRenewalInterval is { } interval && (interval < TimeSpan.FromMilliseconds(100) || interval >= TimeSpan.FromSeconds(LeaseSeconds)))
        {
            yield return new ValidationResult(
                $"Training:Jobs:LeaseRenewalInterval is 100 ms to less than LeaseSeconds ({LeaseSeconds} s), e.g. {TimeSpan.FromSeconds(LeaseSeconds / 3.0):c}; leave it unset for a third of the lease.",
                [nameof(LeaseRenewalInterval)]);
        }
    }

    public Uri ArchiveAddress(Uri labelingBaseAddress) =>
        string.IsNullOrEmpty(DicomWebBaseAddress)
            ? new Uri(labelingBaseAddress, "dicomweb/")
            : new Uri(DicomWebBaseAddress.EndsWith('/') ? DicomWebBaseAddress : DicomWebBaseAddress + "/");

    public string ResolvedWorkerName => WorkerName.Length > 0 ? WorkerName : $"{Environment.MachineName}-{Environment.ProcessId}";

    public string ResolvedWorkDirectory =>
        WorkDirectory.Length > 0 ? WorkDirectory : Path.Combine(Path.GetTempPath(), "cl2-training", ResolvedWorkerName);
}
