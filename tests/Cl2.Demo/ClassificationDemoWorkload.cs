using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// The hip radiographs, a classification: a label is a <c>cl2-classification/1</c> blob naming the radiograph's series
/// and whether a femoral neck is fractured. The annotators' one consistent slip: they miss every fracture on the patient's
/// left (they read the film from the wrong side), so the training and validation labels call those films intact. The
/// radiologists read each delivered SR as the PACS holds it and score it by the probability it gave the phantom's truth.
/// </summary>
public sealed class ClassificationDemoWorkload(WorkloadTask task) : DemoWorkload(task)
{
    /// <summary>Where the annotators miss a fracture (the patient's side, as the phantom names it).</summary>
    private const string MissedSide = "L";

    public override string Modality => "DX";

    public override string Score => "probability of the truth";

    public override string Subject => "fracture finding";

    public override string Slip(WorkloadPlan plan) => "the training and validation labels miss every fracture on the patient's left";

    public override IReadOnlyList<double>? TrainingGrid(string cohortFolder, CohortCase item) => null;

    public override async Task<(string Digest, string Kind)> UploadLabelAsync(Person person, WorkloadPlan plan, CohortCase item, string cohortFolder, bool exact,
        string folder, CancellationToken cancellationToken)
    {
        var fracture = item.Fracture == true && (exact || item.FracturedSide != MissedSide);
        var series = DicomFile.Open(Directory.GetFiles(Path.Combine(cohortFolder, item.Series["DX"]), "*.dcm").Order(StringComparer.Ordinal).First())
            .Dataset.GetString(DicomTags.SeriesInstanceUID);
        var label = new ClassificationLabel(ClassificationLabel.CurrentFormat, [series],
            new Dictionary<string, bool> { [WorkloadRegistry.For(Task).Output.Labels[0]] = fracture });
        return (await person.UploadBlobAsync(label.ToJson(), cancellationToken).ConfigureAwait(false), "CLASSIFICATION");
    }

    /// <summary>The probability the SR's finding gave the phantom's truth: its probability of a fracture where there is
    /// one, one minus it where there is none.</summary>
    public override double Judge(IReadOnlyList<DeliveredInstance> results, CohortCase item, string cohortFolder)
    {
        var report = DicomFile.Open(new MemoryStream(results.Single(result => result.Modality == "SR").Bytes)).Dataset;
        var probability = ProbabilityIn(report)
            ?? throw new InvalidOperationException($"the SR of {item.StudyInstanceUid} reports no {CodedConcepts.Probability.Meaning}");
        return item.Fracture == true ? probability : 1 - probability;
    }

    /// <summary>The value of the first NUM content item named Probability (DCM 122157), searched depth first.</summary>
    private static double? ProbabilityIn(DicomDataset item)
    {
        if (item.TryGetSequence(DicomTags.ConceptNameCodeSequence, out var name) && name.Items.Count > 0
            && name.Items[0].GetStringOrDefault(DicomTags.CodeValue) == CodedConcepts.Probability.Value
            && item.TryGetSequence(DicomTags.MeasuredValueSequence, out var measured) && measured.Items.Count > 0)
        {
            return double.Parse(measured.Items[0].GetString(DicomTags.NumericValue), CultureInfo.InvariantCulture);
        }
        if (!item.TryGetSequence(DicomTags.ContentSequence, out var children))
        {
            return null;
        }
        return children.Items.Select(ProbabilityIn).FirstOrDefault(value => value is not null);
    }
}
