using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// Hip fracture detection on a pelvis radiograph (DX or CR, description naming the pelvis or hip): the image z-scored
/// as a whole (exposure and detector gain vary from film to film); one logit, whose sigmoid is the probability that a
/// fracture is present, reported present from the threshold.
/// </summary>
public sealed class HipXrayWorkload : Workload
{
    public override WorkloadTask Task => WorkloadTask.HipXray;

    public override IReadOnlyList<SeriesRule> Series { get; } =
    [
        new(new InputChannel("DX", new IntensityNormalisation(IntensityNormalisationKind.ZScoreNonZero)), ["DX", "CR"],
            [DicomUids.DigitalXRayImageStorageForPresentation.Value, DicomUids.DigitalXRayImageStorageForProcessing.Value,
             DicomUids.ComputedRadiographyImageStorage.Value],
            @"PELVIS|HIP|FEMUR|BECKEN"),
    ];

    /// <summary>DenseNet-121 as torchvision builds it (its state-dict names, so torchvision weights import), one channel in
    /// and one logit out; trained at radiograph sizes of 224² and more.</summary>
    public override ArchitectureSpec Architecture { get; } =
        ArchitectureSpec.Of(new DenseNetOptions { NumClasses = 1, InChannels = 1 });

    /// <summary>A DenseNet of three two-layer blocks (growth 8, 16 initial features), one logit out.</summary>
    public override ArchitectureSpec SmallArchitecture { get; } =
        ArchitectureSpec.Of(new DenseNetOptions { GrowthRate = 8, BlockConfig = [2, 2, 2], NumInitFeatures = 16, BnSize = 2, NumClasses = 1, InChannels = 1 });

    public override OutputSpec Output { get; } = new(OutputKind.Classification, ["fracture"]);

    public override OutputFinding Finding { get; } = new("fracture", CodedConcepts.FractureOfNeckOfFemur, CodedConcepts.Femur);

    public override Postprocessing Postprocessing { get; } = new(LargestComponentOf: [], FillHoles: [], Threshold: 0.5);

    public override Tensor Normalise(Tensor image) => NormaliseIntensity.ZScore(image);

    public override WorkloadTraining Training(int epochs, long seed, int trainingCases) => new(this,
        () => new BinaryCrossEntropyLoss(),
        _ => new ClassificationMetrics(),
        "auc",
        new TrainerOptions
        {
            Epochs = epochs, BatchSize = 8, LearningRate = 3e-3, Optimizer = OptimizerKind.AdamW, Seed = seed,
            Schedule = WorkloadTraining.Cosine(epochs, trainingCases, 8),
        });
}
