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
}
