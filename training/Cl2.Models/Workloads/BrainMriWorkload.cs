using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using Cl2.Models.Synthetic;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// Brain tumour segmentation on multi-parametric MRI as in BraTS and the reference platform's model (SegResNet, Myronenko
/// 2018): T1, T1 after gadolinium, T2 and FLAIR, co-registered on one grid, each z-scored over its foreground; three
/// overlapping regions out, one sigmoid each (tumour core, whole tumour, enhancing tumour), trained with a Dice +
/// binary cross-entropy loss.
/// The regions are turned back into BraTS' exclusive classes (necrotic core, oedema, enhancing tumour; labels 1, 2 and 4)
/// for the result, and the whole tumour is kept as its largest connected component.
/// </summary>
public sealed class BrainMriWorkload : Workload
{
    // "T1" that is not post-contrast; a T1 after gadolinium says so (+C, GD, GAD, POST, CONTRAST, T1C); T2 that is not FLAIR.
    private const string NotContrast = @"(?!.*(\+\s*C\b|\bGD\b|\bGAD|\bPOST|CONTRAST|\bT1\s*C\b|T1[-_ ]?GD))";

    private const int NecroticCore = 1;
    private const int Oedema = 2;
    private const int Enhancing = 3;

    private static readonly IntensityNormalisation ZScore = new(IntensityNormalisationKind.ZScoreNonZero);

    /// <summary>BraTS' evaluation regions, in output channel order (MONAI's ConvertToMultiChannelBasedOnBratsClasses).</summary>
    public static IReadOnlyList<OutputRegion> Regions { get; } =
    [
        new("tc", [NecroticCore, Enhancing]),
        new("wt", [NecroticCore, Oedema, Enhancing]),
        new("et", [Enhancing]),
    ];

    public override WorkloadTask Task => WorkloadTask.BrainMri;

    public override IReadOnlyList<SeriesRule> Series { get; } =
    [
        Rule("T1", $"^{NotContrast}(?!.*FLAIR).*\\bT1\\b"),
        Rule("T1c", @"\bT1\b.*(\+\s*C\b|\bGD\b|\bGAD|\bPOST|CONTRAST)|\bT1\s*C\b|T1[-_ ]?GD"),
        Rule("T2", @"^(?!.*FLAIR).*\bT2\b"),
        Rule("FLAIR", "FLAIR"),
    ];

    /// <summary>SegResNet with MONAI's defaults (8 initial filters, blocks (1, 2, 2, 4) down and (1, 1, 1) up) and the
    /// BraTS dropout of 0.2: sized to train on a CPU; Myronenko 2018 used 32 filters (<see cref="SegResNetOptions.Brats"/>).</summary>
    public override ArchitectureSpec Architecture { get; } =
        ArchitectureSpec.Of(new SegResNetOptions { InChannels = 4, OutChannels = 3, InitFilters = 8, DropoutProb = 0.2 });

    /// <summary>A 3-D residual U-Net (8-16-32), one sigmoid output per region as the SegResNet's.</summary>
    public override ArchitectureSpec SmallArchitecture { get; } =
        ArchitectureSpec.Of(new UNetOptions { SpatialDims = 3, InChannels = 4, OutChannels = 3, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 });

    public override OutputSpec Output { get; } = new(OutputKind.Segmentation, ["tumour core", "whole tumour", "enhancing tumour"]);

    public override IReadOnlyList<OutputSegment> Segments { get; } =
    [
        new(NecroticCore, "necrotic tumour core", SegmentedProperty.NecroticTumourCore),
        new(Oedema, "peritumoral oedema", SegmentedProperty.PeritumoralOedema),
        new(Enhancing, "enhancing tumour", SegmentedProperty.EnhancingTumour),
    ];

    public override Postprocessing Postprocessing { get; } = new(LargestComponentOf: [[NecroticCore, Oedema, Enhancing]], FillHoles: []);

    public override Tensor Normalise(Tensor image) => NormaliseIntensity.ZScoreForeground(image);

    /// <summary>BraTS label value → class index (0 background, 1 necrotic core, 2 oedema, 3 enhancing).</summary>
    public override int ClassOf(byte groundTruth) => groundTruth switch
    {
        BrainMriPhantom.NecroticCore => NecroticCore,
        BrainMriPhantom.Oedema => Oedema,
        BrainMriPhantom.EnhancingTumour => Enhancing,
        _ => 0,
    };

    public override Tensor ClassMap(Tensor logits) => OutputRegions.ClassMap(logits, Regions, classes: 4);

    /// <summary>Cases are resampled to 1 mm isotropic, the grid BraTS distributes its cases on, and trained as 64³ patches.</summary>
    public override PatchSampling? Sampling { get; } = new([64, 64, 64], ForegroundRatio: 0.5, Transforms.Augmentation.Segmentation3D, Spacing: [1.0, 1.0, 1.0]);

    public override WorkloadTraining Training(int epochs, long seed, int trainingCases) => new(this,
        // Dice + binary cross-entropy (nnU-Net's loss for BraTS' regions): from the Dice term alone the regions are learned
        // many times more slowly (docs/training.md, "Networks, brain regions and precision").
        () => new RegionDiceLoss([.. Regions.Select(region => region.Classes)], crossEntropyWeight: 1),
        _ => new RegionDiceMetrics([.. Regions.Select(region => (region.Name, region.Classes))], RegionPrediction.SigmoidPerRegion),
        "dice_wt",
        WorkloadTraining.Segmentation(epochs, seed, trainingCases));

    private static SeriesRule Rule(string sequence, string description) =>
        new(new InputChannel(sequence, ZScore), ["MR"], [DicomUids.MRImageStorage.Value], description);
}
