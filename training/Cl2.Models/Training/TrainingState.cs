namespace Cl2.Models.Training;

/// <summary>
/// Where a run is, everything besides weights, optimizer moments and the generator state that a resumed run needs to
/// continue exactly: the position (epoch, next micro-batch, optimizer step — the schedule is a function of the step),
/// the seed (the epoch's shuffle is derived from it) and the early-stopping record.
/// </summary>
public sealed record TrainingState
{
    public int Epoch { get; init; }
    public int NextBatch { get; init; }
    public long Step { get; init; }
    public long Seed { get; init; }
    public double? BestMetric { get; init; }
    public int? BestEpoch { get; init; }
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>Sum and count of the finite step losses of the epoch in progress (its reported loss is their mean).</summary>
    public double EpochLossSum { get; init; }

    public int EpochLossCount { get; init; }

    /// <summary>Optimizer steps skipped so far because their loss or a gradient was not finite.</summary>
    public int NonFiniteSteps { get; init; }
}
