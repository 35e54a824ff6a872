using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;

namespace Cl2.Dicom.StructuredReports;

/// <summary>The model that made the results, as the report's device observer (TID 1004).</summary>
/// <param name="Uid">Device Observer UID: one per model version, e.g. <see cref="NameBasedUid.For"/> of "model/version".</param>
/// <param name="Name">Device Observer Name: the model's name.</param>
/// <param name="ModelName">Device Observer Model Name: the model's name and version.</param>
public sealed record DeviceObserver(string Uid, string Name, string ModelName, string Manufacturer = "cl2");

/// <summary>The segmentation whose segments a volume report measures.</summary>
public sealed record SegmentationReference(string SopInstanceUid, string SeriesInstanceUid, string SourceSeriesInstanceUid);

/// <summary>The volume of one segment, in millilitres (TID 1411 with Volume, UCUM ml).</summary>
public sealed record VolumeMeasurement(SegmentDescription Segment, double Millilitres)
{
    /// <summary>The volume of every segment of a segmentation: voxels inside × the source voxel's volume.</summary>
    public static IReadOnlyList<VolumeMeasurement> ForSegments(SegmentationContent segmentation)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        var grid = SourceSeries.From(segmentation.SourceImages).Volume;
        // A single slice has no spacing between slices: its thickness is the source's Slice Thickness, if any.
        var depth = grid.Slices.Count > 1 ? grid.SliceSpacing : segmentation.SourceImages[0].GetValueOrDefault(DicomTags.SliceThickness, 0.0);
        var voxelMl = grid.RowSpacing * grid.ColumnSpacing * depth / 1000.0;
        return segmentation.Segments.Select(mask => new VolumeMeasurement(mask.Segment, mask.Voxels.Count(v => v != 0) * voxelMl)).ToList();
    }
}

/// <summary>
/// An image-level finding of a classifier (TID 1501): whether <see cref="Finding"/> is present, the model's probability
/// for it, optionally the side, and the image it was made on.
/// </summary>
/// <param name="Image">The source image the classifier read (its SOP class and instance are referenced).</param>
/// <param name="Laterality"><see cref="CodedConcepts.Right"/>, <see cref="CodedConcepts.Left"/>, or null when the model does not say.</param>
/// <param name="FindingSite">Where the finding is, e.g. <see cref="CodedConcepts.Femur"/>; null when not meaningful.</param>
public sealed record ClassificationFinding(
    CodedConcept Finding,
    bool Present,
    double Probability,
    DicomDataset Image,
    CodedConcept? Laterality = null,
    CodedConcept? FindingSite = null,
    string TrackingIdentifier = "");

/// <summary>Everything <see cref="MeasurementReportWriter"/> needs for one TID 1500 Imaging Measurement Report.</summary>
public sealed record MeasurementReportContent
{
    /// <summary>An image of the study reported on: patient and study attributes are copied from it.</summary>
    public required DicomDataset StudyImage { get; init; }

    public required string SopInstanceUid { get; init; }

    public required string SeriesInstanceUid { get; init; }

    public required int SeriesNumber { get; init; }

    public string SeriesDescription { get; init; } = "";

    public required DateTimeOffset ContentDateTime { get; init; }

    public required DeviceObserver Observer { get; init; }

    /// <summary>Procedure Reported (CID 100); the generic imaging procedure by default.</summary>
    public CodedConcept ProcedureReported { get; init; } = CodedConcepts.ImagingProcedure;

    /// <summary>The segmentation <see cref="Volumes"/> refer to; required when there are volumes.</summary>
    public SegmentationReference? Segmentation { get; init; }

    public IReadOnlyList<VolumeMeasurement> Volumes { get; init; } = [];

    public IReadOnlyList<ClassificationFinding> Findings { get; init; } = [];

    public string Manufacturer { get; init; } = "cl2";

    public string SoftwareVersions { get; init; } = "";

    public int InstanceNumber { get; init; } = 1;
}
