using Cl2.Dicom;
using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// Liver and liver lesion segmentation on abdominal CT: one axial CT series (not a scout or dose report), Hounsfield
/// units clipped to a soft-tissue window and scaled to [0, 1]; three classes; the liver (with its lesions) is kept as
/// its largest connected component and the holes in it are filled with liver.
/// </summary>
public sealed class LiverCtWorkload : Workload
{
    /// <summary>CT window for the liver: fat to well above enhanced parenchyma.</summary>
    public const double WindowLow = -175;
    public const double WindowHigh = 250;

    public override WorkloadTask Task => WorkloadTask.LiverCt;

    public override IReadOnlyList<SeriesRule> Series { get; } =
    [
        new(new InputChannel("CT", new IntensityNormalisation(IntensityNormalisationKind.ClipAndScale, WindowLow, WindowHigh)),
            ["CT"], [DicomUids.CTImageStorage.Value], @"^(?!.*(SCOUT|LOCALI[SZ]ER|TOPOGRAM|SURVIEW|DOSE)).*"),
    ];

    /// <summary>SegResNet (Myronenko 2018's encoder-decoder, MONAI's layout and defaults: 8 initial filters), softmax over the three classes.</summary>
    public override ArchitectureSpec Architecture { get; } =
        ArchitectureSpec.Of(new SegResNetOptions { InChannels = 1, OutChannels = 3, InitFilters = 8 });

    /// <summary>A 3-D residual U-Net (8-16-32) with the same three classes.</summary>
    public override ArchitectureSpec SmallArchitecture { get; } =
        ArchitectureSpec.Of(new UNetOptions { SpatialDims = 3, InChannels = 1, OutChannels = 3, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1 });

    public override OutputSpec Output { get; } = new(OutputKind.Segmentation, ["background", "liver", "liver lesion"]);

    public override Postprocessing Postprocessing { get; } = new(LargestComponentOf: [[1, 2]], FillHoles: [new HoleFilling([1, 2], 1)]);

    public override Tensor Normalise(Tensor image) => NormaliseIntensity.CtWindow(image, WindowLow, WindowHigh);

    /// <summary>Cases are resampled to 1.5 × 1.5 mm in plane and 2 mm between slices (MONAI's abdominal CT recipes' grid;
    /// array order slices, rows, columns), and trained as 64³ patches.</summary>
    public override PatchSampling? Sampling { get; } = new([64, 64, 64], ForegroundRatio: 0.5, Transforms.Augmentation.Segmentation3D, Spacing: [2.0, 1.5, 1.5]);

    public override WorkloadTraining Training(int epochs, long seed, int trainingCases) => new(this,
        () => new DiceCeLoss(),
        spacing => new CombinedMetrics(new SegmentationMetrics(3, spacing),
            new RegionDiceMetrics([("liver", [1, 2]), ("lesion", [2])])),
        "dice_liver",
        WorkloadTraining.Segmentation(epochs, seed, trainingCases));
}
