using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// Liver CT and brain MRI: the annotators draw each case's label from the phantom's ground truth moved
/// <see cref="WorkloadPlan.AnnotatorSlip"/> columns to the right (as when they label on a series misregistered by that
/// much: the label still names the series' own grid, so it is used, and it is wrong); the radiologists read each delivered
/// SEG as the PACS holds it and score it by the Dice of everything it segmented against every labelled voxel.
/// </summary>
/// <param name="sourceRole">The series the SEG is made on (the workload's first input channel), as the cohort names it.</param>
public sealed class SegmentationDemoWorkload(WorkloadTask task, string modality, string sourceRole, string subject, string slipPlace) : DemoWorkload(task)
{
    public override string Modality => modality;

    public override string Score => "Dice";

    public override string Subject => subject;

    public override string Slip(WorkloadPlan plan) => $"the training and validation labels {plan.AnnotatorSlip} voxels {slipPlace}";

    public override IReadOnlyList<double> TrainingGrid(string cohortFolder, CohortCase item) =>
        [.. SyntheticTrainingSet.Spacing(cohortFolder, item, Task).Reverse()];

    public override async Task<(string Digest, string Kind)> UploadLabelAsync(Person person, WorkloadPlan plan, CohortCase item, string cohortFolder, bool exact,
        string folder, CancellationToken cancellationToken)
    {
        var header = Path.Combine(cohortFolder, item.Labels!);
        var (volume, truth) = LabelVolume.Read(header);
        var drawn = exact ? truth : Annotators.Shifted(truth, volume.Shape, plan.AnnotatorSlip);
        return (await Annotators.UploadMaskAsync(person, header, drawn, folder, cancellationToken).ConfigureAwait(false), "SEGMENTATION");
    }

    /// <summary>Dice of the union of the SEG's segments against the voxels whose ground-truth class is not background.</summary>
    public override double Judge(IReadOnlyList<DeliveredInstance> results, CohortCase item, string cohortFolder)
    {
        var segmentation = results.Single(result => result.Modality == "SEG").Bytes;
        var sources = Directory.GetFiles(Path.Combine(cohortFolder, item.Series[sourceRole]), "*.dcm").Order(StringComparer.Ordinal)
            .Select(path => DicomFile.Open(path).Dataset).ToList();
        var read = SegmentationReader.Read(DicomFile.Open(new MemoryStream(segmentation)).Dataset, sources);
        var workload = WorkloadRegistry.For(Task);
        var (_, truth) = LabelVolume.Read(Path.Combine(cohortFolder, item.Labels!));
        long overlap = 0, segmented = 0, labelled = 0;
        for (var voxel = 0; voxel < truth.Length; voxel++)
        {
            var inSegment = read.Segments.Any(segment => segment.Voxels[voxel] != 0);
            var inTruth = workload.ClassOf(truth[voxel]) != 0;
            overlap += inSegment && inTruth ? 1 : 0;
            segmented += inSegment ? 1 : 0;
            labelled += inTruth ? 1 : 0;
        }
        return segmented + labelled == 0 ? 1 : 2.0 * overlap / (segmented + labelled);
    }
}
