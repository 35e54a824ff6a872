namespace Cl2.Models.Training;

public enum TrainingProgressKind
{
    /// <summary>An optimizer step finished; <see cref="TrainingProgress.Metrics"/> is empty.</summary>
    Step,

    /// <summary>An epoch finished and the validation split was scored.</summary>
    EpochValidated,
}

/// <summary>
/// What the trainer reports as it goes; the worker turns these into <c>TrainingProgressed</c> events.
/// </summary>
/// <param name="Epoch">0-based epoch the report belongs to.</param>
/// <param name="Step">Optimizer steps done so far.</param>
/// <param name="Loss">The step's mean micro-batch loss, or for an epoch the mean of the step losses reported in it.</param>
/// <param name="LearningRate">The rate the last step used.</param>
public sealed record TrainingProgress(
    TrainingProgressKind Kind,
    int Epoch,
    long Step,
    double Loss,
    double LearningRate,
    IReadOnlyDictionary<string, double> Metrics);
