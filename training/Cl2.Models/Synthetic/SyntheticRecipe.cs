using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Synthetic;

/// <summary>
/// How each synthetic task trains: network, loss, validation metrics and the metric that says "it learned", sized for a
/// CPU, and what a checkpoint's manifest says about its input and output. <c>./cl2 train</c> and the learning tests use
/// the same recipe, so what the tests check is what the tool runs.
/// </summary>
public sealed record SyntheticRecipe(
    SyntheticTask Task,
    ArchitectureSpec Architecture,
    Func<nn.Module<Tensor, Tensor, Tensor>> CreateLoss,
    Func<IReadOnlyList<double>, IValidationMetrics> CreateMetrics,
    string KeyMetric,
    IReadOnlyList<InputChannel> Channels,
    OutputSpec Output,
    TrainerOptions Options)
{
    /// <summary>Builds the network on the CPU with fresh weights (seed libtorch's generator first for a repeatable start).</summary>
    public nn.Module<Tensor, Tensor> CreateNetwork() => Architecture.Create();

    /// <param name="trainingCases">Sizes the learning-rate schedule: a short warm-up, then cosine decay to the last step.</param>
    public static SyntheticRecipe For(SyntheticTask task, int epochs, long seed, int trainingCases) => task switch
    {
        SyntheticTask.LiverCt => new SyntheticRecipe(task,
            ArchitectureSpec.Of(new UNetOptions { SpatialDims = 3, InChannels = 1, OutChannels = 3, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 }),
            () => new DiceCeLoss(),
            spacing => new CombinedMetrics(new SegmentationMetrics(3, spacing),
                new RegionDiceMetrics(new Dictionary<string, int[]> { ["liver"] = [1, 2], ["lesion"] = [2] })),
            "dice_liver",
            [new InputChannel("CT", new IntensityNormalisation(IntensityNormalisationKind.ClipAndScale, SyntheticTrainingSet.CtWindowLow, SyntheticTrainingSet.CtWindowHigh))],
            new OutputSpec(OutputKind.Segmentation, ["background", "liver", "liver lesion"]),
            Segmentation(epochs, seed, trainingCases)),
        SyntheticTask.BrainMri => new SyntheticRecipe(task,
            ArchitectureSpec.Of(new UNetOptions { SpatialDims = 3, InChannels = 4, OutChannels = 4, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 }),
            () => new DiceCeLoss(),
            spacing => new CombinedMetrics(new SegmentationMetrics(4, spacing),
                new RegionDiceMetrics(new Dictionary<string, int[]> { ["wt"] = [1, 2, 3], ["tc"] = [1, 3], ["et"] = [3] })),
            "dice_wt",
            [.. BrainMriPhantom.SequenceNames.Select(name => new InputChannel(name, new IntensityNormalisation(IntensityNormalisationKind.ZScoreNonZero)))],
            new OutputSpec(OutputKind.Segmentation, ["background", "necrotic tumour core", "peritumoral oedema", "enhancing tumour"]),
            Segmentation(epochs, seed, trainingCases)),
        SyntheticTask.HipXray => new SyntheticRecipe(task,
            ArchitectureSpec.Of(new DenseNetOptions { GrowthRate = 8, BlockConfig = [2, 2, 2], NumInitFeatures = 16, BnSize = 2, NumClasses = 1, InChannels = 1 }),
            () => new BinaryCrossEntropyLoss(),
            _ => new ClassificationMetrics(),
            "auc",
            [new InputChannel("DX", new IntensityNormalisation(IntensityNormalisationKind.ZScoreNonZero))],
            new OutputSpec(OutputKind.Classification, ["fracture"]),
            new TrainerOptions
            {
                Epochs = epochs, BatchSize = 8, LearningRate = 3e-3, Optimizer = OptimizerKind.AdamW, Seed = seed,
                Schedule = Cosine(epochs, trainingCases, 8),
            }),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    /// <summary>The recipe with a job's own batch size and learning rate (null keeps the recipe's); the schedule is sized again.</summary>
    public SyntheticRecipe With(int? batchSize, double? learningRate, int trainingCases)
    {
        var batch = batchSize ?? Options.BatchSize;
        return this with
        {
            Options = Options with
            {
                BatchSize = batch,
                LearningRate = learningRate ?? Options.LearningRate,
                Schedule = Cosine(Options.Epochs, trainingCases, batch),
            },
        };
    }

    private static TrainerOptions Segmentation(int epochs, long seed, int trainingCases) => new()
    {
        Epochs = epochs, BatchSize = 2, LearningRate = 1e-2, Optimizer = OptimizerKind.AdamW, Seed = seed,
        Schedule = Cosine(epochs, trainingCases, 2),
    };

    private static LearningRateSchedule Cosine(int epochs, int trainingCases, int batchSize)
    {
        var steps = (long)epochs * ((trainingCases + batchSize - 1) / batchSize);
        return steps < 2
            ? new LearningRateSchedule { Kind = LearningRateScheduleKind.Constant }
            : new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupCosine, WarmupSteps = (int)Math.Clamp(steps / 20, 1, steps - 1), TotalSteps = steps };
    }
}
