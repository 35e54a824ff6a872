namespace Cl2.Models.Training;

public enum TrainingStopReason
{
    Completed,
    EarlyStopped,
    MaxStepsReached,
}

/// <param name="LastMetrics">The last validation's values (empty when no epoch finished).</param>
/// <param name="BestMetrics">The values of the best epoch by the early-stopping metric in this call; null without early
/// stopping, or when the best epoch came before a resume (its value stays in <see cref="TrainingState.BestMetric"/>).</param>
public sealed record TrainingResult(
    TrainingStopReason Reason,
    TrainingState State,
    IReadOnlyDictionary<string, double> LastMetrics,
    IReadOnlyDictionary<string, double>? BestMetrics);
