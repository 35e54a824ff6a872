using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference;

public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>Where received instances and pipeline outputs are kept before labeling has them.</summary>
    [Required(ErrorMessage = "Inference:StoragePath is required (./cl2 up sets it to .cl2/data/inference).")]
    public string StoragePath { get; set; } = "";
}
