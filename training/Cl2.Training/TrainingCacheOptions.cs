using System.ComponentModel.DataAnnotations;

namespace Cl2.Training;

/// <summary>
/// The case cache and the loader (docs/training.md, "Streaming data"): where prepared cases are kept on disk (shared
/// by every job of this worker, and by other workers on the same machine), how much of them stays in RAM, and how many
/// background threads prepare how many batches ahead of the trainer.
/// </summary>
public sealed class TrainingCacheOptions
{
    public const string Section = "Training:Cache";

    /// <summary>The disk cache; empty means <c>cl2-training/cache</c> under the system's temporary folder.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Prepared cases kept in RAM (least recently used leave first); 0 reads every case from disk each time.</summary>
    [Range(0, 1024 * 1024)]
    public int MemoryMegabytes { get; set; } = 1024;

    /// <summary>The most the disk cache's case files may take (least recently used go first); 0 keeps every file.
    /// Set it above one job's prepared cases, or the job prepares evicted cases again from the archive.</summary>
    [Range(0, int.MaxValue)]
    public int DiskMegabytes { get; set; }

    /// <summary>Background threads that prepare training batches; 0 prepares each on the training thread when it is needed.</summary>
    [Range(0, 64)]
    public int LoaderWorkers { get; set; } = 1;

    /// <summary>Batches prepared ahead of the one being trained on.</summary>
    [Range(1, 64)]
    public int PrefetchBatches { get; set; } = 2;

    public string ResolvedDirectory => Directory.Length > 0 ? Directory : Path.Combine(Path.GetTempPath(), "cl2-training", "cache");

    public long MemoryBytes => (long)MemoryMegabytes * 1024 * 1024;

    public long DiskBytes => (long)DiskMegabytes * 1024 * 1024;
}
