namespace Cl2.Models.Training;

public enum LearningRateScheduleKind
{
    /// <summary>The base rate throughout (after any warm-up).</summary>
    Constant,

    /// <summary>Linear warm-up, then half a cosine from the base rate down to the minimum at <see cref="LearningRateSchedule.TotalSteps"/>.</summary>
    WarmupCosine,

    /// <summary>Linear warm-up, then <c>base · (1 − progress)^power</c> (nnU-Net's and MONAI's PolyLR), floored at the minimum.</summary>
    WarmupPolynomial,
}

/// <summary>
/// The learning rate as a pure function of the optimizer step, so a resumed run needs nothing but the step count to
/// continue the schedule exactly.
/// </summary>
public sealed record LearningRateSchedule
{
    public LearningRateScheduleKind Kind { get; init; } = LearningRateScheduleKind.WarmupCosine;

    /// <summary>Steps of linear warm-up from <c>base/warmup</c> to the base rate; 0 for none.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>The step at which the decay reaches its end; required by the decaying kinds.</summary>
    public long TotalSteps { get; init; }

    public double MinLearningRate { get; init; }

    public double Power { get; init; } = 0.9;

    public double At(double baseLearningRate, long step)
    {
        if (step < WarmupSteps)
        {
            return baseLearningRate * (step + 1) / WarmupSteps;
        }
        if (Kind == LearningRateScheduleKind.Constant)
        {
            return baseLearningRate;
        }
        var span = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Clamp((double)(step - WarmupSteps) / span, 0, 1);
        return Kind switch
        {
            LearningRateScheduleKind.WarmupCosine =>
                MinLearningRate + (baseLearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            LearningRateScheduleKind.WarmupPolynomial =>
                Math.Max(MinLearningRate, baseLearningRate * Math.Pow(1 - progress, Power)),
            _ => throw new InvalidOperationException($"Unknown schedule {Kind}."),
        };
    }

    internal void Validate()
    {
        if (WarmupSteps < 0 || MinLearningRate < 0 || Power <= 0)
        {
            throw new ArgumentException("Warm-up steps and the minimum rate cannot be negative, and the power must be positive.");
        }
        if (Kind != LearningRateScheduleKind.Constant && TotalSteps <= WarmupSteps)
        {
            throw new ArgumentException($"A {Kind} schedule needs TotalSteps ({TotalSteps}) beyond the warm-up ({WarmupSteps}).");
        }
    }
}
