namespace Cl2.Models.Training.Losses;

/// <summary>
/// MONAI's <c>DiceCELoss(to_onehot_y=True, softmax=True)</c> settings with its names and defaults: the smooth terms
/// keep the Dice ratio defined for a class absent from both prediction and label.
/// </summary>
public sealed record DiceCeLossOptions
{
    public bool IncludeBackground { get; init; } = true;
    public double SmoothNumerator { get; init; } = 1e-5;
    public double SmoothDenominator { get; init; } = 1e-5;
    public double LambdaDice { get; init; } = 1;
    public double LambdaCe { get; init; } = 1;
}
