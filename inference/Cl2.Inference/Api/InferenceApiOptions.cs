using System.ComponentModel.DataAnnotations;

namespace Cl2.Inference.Api;

/// <summary>The inference HTTP API (<c>/api/inference/**</c>, section <c>Inference:Api</c>); docs/configuration.md.</summary>
public sealed class InferenceApiOptions
{
    public const string Section = "Inference:Api";

    /// <summary>Most items one page of a list holds (<c>limit</c>), and the page size when none is asked for.</summary>
    [Range(1, 10000, ErrorMessage = "Inference:Api:MaxPageSize must be 1-10000.")]
    public int MaxPageSize { get; set; } = 100;
}
