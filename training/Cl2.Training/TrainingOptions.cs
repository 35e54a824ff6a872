using System.ComponentModel.DataAnnotations;

namespace Cl2.Training;

public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>auto (CUDA when available), cpu or cuda.</summary>
    [Required, RegularExpression("^(auto|cpu|cuda)$", ErrorMessage = "Training:Device must be auto, cpu or cuda.")]
    public string Device { get; set; } = "auto";

    /// <summary>Intra-op threads on the CPU; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int CpuThreads { get; set; }

    /// <summary>
    /// Whether libtorch may use oneDNN on the CPU: auto (on unless the numerical self-check fails with it), on or off.
    /// Unset, the CL2_ONEDNN environment variable decides, else auto (docs/training.md, "Numerics").
    /// </summary>
    [RegularExpression("^(auto|on|off)$", ErrorMessage = "Training:OneDnn must be auto, on or off.")]
    public string? OneDnn { get; set; }
}
