using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Client;

/// <summary>Where training and inference find the labeling API (directly, or through the gateway).</summary>
public sealed class LabelingClientOptions
{
    public const string Section = "Labeling";

    [Required(ErrorMessage = "Labeling:BaseAddress is required, e.g. http://127.0.0.1:8081/")]
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8081/");
}
