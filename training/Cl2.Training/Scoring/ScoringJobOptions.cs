using System.ComponentModel.DataAnnotations;

namespace Cl2.Training.Scoring;

/// <summary>How the worker scores cases for active learning (section <c>Training:Scoring</c>).</summary>
public sealed class ScoringJobOptions
{
    public const string Section = "Training:Scoring";

    /// <summary>Stochastic forward passes per case for <c>mc-dropout</c>.</summary>
    [Range(2, 100)]
    public int McDropoutPasses { get; set; } = 8;

    /// <summary>How many unlabelled cases the worker lists per request while scoring a dataset.</summary>
    [Range(1, 1000)]
    public int CasesPerPage { get; set; } = 100;
}
