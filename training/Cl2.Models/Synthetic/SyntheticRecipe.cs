using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Synthetic;

/// <summary>
/// How each synthetic task trains: network, loss, validation metrics and the metric that says "it learned", sized for a
/// CPU. <c>./cl2 train</c> and the learning tests use the same recipe, so what the tests check is what the tool runs.
/// </summary>
public sealed record SyntheticRecipe(
    SyntheticTask Task,
    string Architecture,
    Func<nn.Module<Tensor, Tensor>> CreateNetwork,
    Func<nn.Module<Tensor, Tensor, Tensor>> CreateLoss,
    Func<IReadOnlyList<double>, IValidationMetrics> CreateMetrics,
    string KeyMetric,
    IReadOnlyList<string> OutputNames,
    TrainerOptions Options)
{
    public static SyntheticRecipe For(SyntheticTask task, int epochs, long seed) => task switch
    {
        SyntheticTask.LiverCt => new SyntheticRecipe(task, "UNet",
            () => new UNet(new UNetOptions { SpatialDims = 3, InChannels = 1, OutChannels = 3, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 }),
            () => new DiceCeLoss(),
            spacing => new CombinedMetrics(new SegmentationMetrics(3, spacing),
                new RegionDiceMetrics(new Dictionary<string, int[]> { ["liver"] = [1, 2], ["lesion"] = [2] })),
            "dice_liver", ["background", "liver", "liver lesion"],
            Segmentation(epochs, seed)),
        SyntheticTask.BrainMri => new SyntheticRecipe(task, "UNet",
            () => new UNet(new UNetOptions { SpatialDims = 3, InChannels = 4, OutChannels = 4, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 }),
            () => new DiceCeLoss(),
            spacing => new CombinedMetrics(new SegmentationMetrics(4, spacing),
                new RegionDiceMetrics(new Dictionary<string, int[]> { ["wt"] = [1, 2, 3], ["tc"] = [1, 3], ["et"] = [3] })),
            "dice_wt", ["background", "necrotic core", "oedema", "enhancing tumour"],
            Segmentation(epochs, seed)),
        SyntheticTask.HipXray => new SyntheticRecipe(task, "DenseNet",
            () => new DenseNet(new DenseNetOptions { GrowthRate = 8, BlockConfig = [2, 2, 2], NumInitFeatures = 16, BnSize = 2, NumClasses = 1, InChannels = 1 }),
            () => new BinaryCrossEntropyLoss(),
            _ => new ClassificationMetrics(),
            "auc", ["fracture"],
            new TrainerOptions { Epochs = epochs, BatchSize = 8, LearningRate = 3e-3, Optimizer = OptimizerKind.AdamW, Seed = seed }),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    private static TrainerOptions Segmentation(int epochs, long seed) => new()
    {
        Epochs = epochs, BatchSize = 2, LearningRate = 1e-2, Optimizer = OptimizerKind.AdamW, Seed = seed,
    };
}
