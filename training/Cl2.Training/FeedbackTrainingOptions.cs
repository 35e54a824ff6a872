using System.ComponentModel.DataAnnotations;

namespace Cl2.Training;

/// <summary>
/// How radiologists' feedback trains (docs/closed-loop.md): a corrected study trains on its correction like an
/// annotator's label (weight 1); a study whose result a radiologist accepted trains on the model's own output, which
/// confirms what the model already does and may carry its slips, so its samples weigh
/// <see cref="AcceptedLabelWeight"/> in the loss.
/// </summary>
public sealed class FeedbackTrainingOptions
{
    public const string Section = "Training:Feedback";

    /// <summary>The loss weight of an accepted result's samples, from 0 (not trained on, listed as skipped) to 1 (as
    /// much as an annotator's label).</summary>
    [Range(0.0, 1.0, ErrorMessage = "Training:Feedback:AcceptedLabelWeight is 0 (accepted results not trained on) to 1 (as much as an annotator's label).")]
    public double AcceptedLabelWeight { get; set; }
}
