using Cl2.Dicom;
using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using Cl2.Models.Synthetic;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// Brain tumour segmentation on multi-parametric MRI: T1, T1 after gadolinium, T2 and FLAIR, co-registered on one grid,
/// each z-scored over its foreground; four classes (background, necrotic core, oedema, enhancing tumour; BraTS labels
/// 1, 2 and 4); the whole tumour is kept as its largest connected component.
/// </summary>
public sealed class BrainMriWorkload : Workload
{
    // "T1" that is not post-contrast; a T1 after gadolinium says so (+C, GD, GAD, POST, CONTRAST, T1C); T2 that is not FLAIR.
    private const string NotContrast = @"(?!.*(\+\s*C\b|\bGD\b|\bGAD|\bPOST|CONTRAST|\bT1\s*C\b|T1[-_ ]?GD))";

    private static readonly IntensityNormalisation ZScore = new(IntensityNormalisationKind.ZScoreNonZero);

    public override WorkloadTask Task => WorkloadTask.BrainMri;

    public override IReadOnlyList<SeriesRule> Series { get; } =
    [
        Rule("T1", $"^{NotContrast}(?!.*FLAIR).*\\bT1\\b"),
        Rule("T1c", @"\bT1\b.*(\+\s*C\b|\bGD\b|\bGAD|\bPOST|CONTRAST)|\bT1\s*C\b|T1[-_ ]?GD"),
        Rule("T2", @"^(?!.*FLAIR).*\bT2\b"),
        Rule("FLAIR", "FLAIR"),
    ];

    public override ArchitectureSpec Architecture { get; } =
        ArchitectureSpec.Of(new UNetOptions { SpatialDims = 3, InChannels = 4, OutChannels = 4, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 });

    public override OutputSpec Output { get; } =
        new(OutputKind.Segmentation, ["background", "necrotic tumour core", "peritumoral oedema", "enhancing tumour"]);

    public override Postprocessing Postprocessing { get; } = new(LargestComponentOf: [[1, 2, 3]], FillHoles: []);

    public override Tensor Normalise(Tensor image) => NormaliseIntensity.ZScoreForeground(image);

    /// <summary>BraTS label value → class index (0 background, 1 necrotic core, 2 oedema, 3 enhancing).</summary>
    public override int ClassOf(byte groundTruth) => groundTruth switch
    {
        BrainMriPhantom.NecroticCore => 1,
        BrainMriPhantom.Oedema => 2,
        BrainMriPhantom.EnhancingTumour => 3,
        _ => 0,
    };

    public override PatchSampling? Sampling { get; } = new([64, 64, 64], ForegroundRatio: 0.5, Transforms.Augmentation.Segmentation3D);

    public override WorkloadTraining Training(int epochs, long seed, int trainingCases) => new(this,
        () => new DiceCeLoss(),
        spacing => new CombinedMetrics(new SegmentationMetrics(4, spacing),
            new RegionDiceMetrics(new Dictionary<string, int[]> { ["wt"] = [1, 2, 3], ["tc"] = [1, 3], ["et"] = [3] })),
        "dice_wt",
        WorkloadTraining.Segmentation(epochs, seed, trainingCases));

    private static SeriesRule Rule(string sequence, string description) =>
        new(new InputChannel(sequence, ZScore), ["MR"], [DicomUids.MRImageStorage.Value], description);
}
