namespace Cl2.Models.Training;

public enum OptimizerKind
{
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
    AdamW,
}

public enum TrainingPrecision
{
    Float32,

    /// <summary>
    /// The whole network cast to bfloat16: weights, activations and optimizer state (the loss is computed in float32),
    /// with no float32 master copy of the weights. It runs on the CPU too, slowly.
    /// </summary>
    BFloat16,

    /// <summary>
    /// Mixed precision on CUDA: libtorch's autocast (<see cref="LibTorchAutocast"/>) runs the forward pass's
    /// convolutions and matrix products in bfloat16 while the weights, their gradients and the optimizer state stay
    /// float32 (the master copy). Refused on the CPU (the trainer says so before any step), where it would only slow
    /// the convolutions down.
    /// </summary>
    BFloat16Autocast,
}

/// <summary>The names a recipe or command line gives <see cref="TrainingPrecision"/>.</summary>
public static class TrainingPrecisions
{
    public static IReadOnlyList<string> Names { get; } = ["float32", "bf16", "bf16-autocast"];

    public static string Name(this TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.Float32 => "float32",
        TrainingPrecision.BFloat16 => "bf16",
        TrainingPrecision.BFloat16Autocast => "bf16-autocast",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>Refuses a precision the device cannot train in, before any data is read or step taken.</summary>
    /// <exception cref="InvalidOperationException">bf16-autocast on the CPU.</exception>
    public static void EnsureSupported(TrainingPrecision precision, ComputeDevice device)
    {
        if (precision == TrainingPrecision.BFloat16Autocast && !device.IsCuda)
        {
            throw new InvalidOperationException(
                $"Precision bf16-autocast needs a CUDA device; this run is on {device.Description}. Train with precision float32 on the CPU.");
        }
    }

    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>; the message lists them.</exception>
    public static TrainingPrecision Parse(string name) => name switch
    {
        "float32" => TrainingPrecision.Float32,
        "bf16" => TrainingPrecision.BFloat16,
        "bf16-autocast" => TrainingPrecision.BFloat16Autocast,
        _ => throw new ArgumentException($"unknown precision '{name}'; choose one of {string.Join(", ", Names)}", nameof(name)),
    };
}

/// <summary>How a <see cref="Trainer"/> trains: optimizer, schedule, batching, stopping and checkpoints.</summary>
public sealed record TrainerOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 1e-5;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's ε; a large one makes the update follow the gradient's scale, as SGD with momentum does.</summary>
    public double Epsilon { get; init; } = 1e-8;
    public LearningRateSchedule Schedule { get; init; } = new() { Kind = LearningRateScheduleKind.Constant };

    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 2;

    /// <summary>Micro-batches whose gradients are summed into one optimizer step (the effective batch is this × <see cref="BatchSize"/>).</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps even mid-epoch (null: run all epochs). The schedule does not
    /// depend on it, so a run cut short here and resumed matches one that was never cut.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Seeds libtorch's generator at the start of a fresh run and the per-epoch shuffle.</summary>
    public long Seed { get; init; } = 42;

    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>Write a resumable checkpoint every this many optimizer steps (0: only at the end).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Where checkpoints go; null for none. The best validation epoch's weights go beside them.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Report the step loss every this many optimizer steps (every step's loss is read anyway, to refuse non-finite ones).</summary>
    public int ProgressEvery { get; init; } = 1;

    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Validate each whole case (one per batch) by a sliding window of this size (voxels per spatial axis), as
    /// inference does; null validates batches of <see cref="BatchSize"/> in one forward pass.</summary>
    public IReadOnlyList<long>? ValidationWindow { get; init; }

    /// <summary>Optimizer steps with a non-finite loss or gradient that are skipped (no update) before the run fails
    /// with <see cref="NonFiniteTrainingException"/>; 0 fails at the first.</summary>
    public int MaxNonFiniteSteps { get; init; } = 3;

    internal void Validate()
    {
        if (LearningRate < 0 || Epochs < 1 || BatchSize < 1 || AccumulationSteps < 1 || ProgressEvery < 1 || CheckpointEvery < 0 || MaxNonFiniteSteps < 0)
        {
            throw new ArgumentException("The learning rate cannot be negative; epochs, batch size, accumulation and progress interval must be at least 1; skipped steps cannot be negative.");
        }
        if (CheckpointEvery > 0 && CheckpointDirectory is null)
        {
            throw new ArgumentException($"Checkpoints every {CheckpointEvery} steps need a {nameof(CheckpointDirectory)}.");
        }
        if (EarlyStopping is { Patience: < 1 })
        {
            throw new ArgumentException("Early stopping needs a patience of at least one epoch.");
        }
        Schedule.Validate();
    }
}
