using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;
using Cl2.Dicom.StructuredReports;

namespace Cl2.Models.Inference;

/// <summary>The DICOM objects made from one <see cref="WorkloadResult"/>: a Segmentation for a segmentation workload
/// and a TID 1500 measurement report (the segments' volumes, or the classifier's finding). <c>./cl2 infer</c> and the
/// inference service both write them here, so a study gives the same objects on either path.</summary>
public sealed record ResultObjects(
    DicomFile? Segmentation,
    SegmentationContent? SegmentationContent,
    DicomFile Report,
    IReadOnlyList<VolumeMeasurement> Volumes)
{
    /// <summary>Encodes <paramref name="result"/>. Every UID is made by <see cref="NameBasedUid"/> from
    /// <paramref name="uidScope"/> (e.g. source series + model, or study + model version), so encoding the same result
    /// for the same scope again gives the same SOP Instance UIDs and a receiver that has them sees the same objects.
    /// <paramref name="algorithmVersion"/> is what the SEG's Segment Algorithm Name and the SR's observer device name.</summary>
    public static ResultObjects Write(WorkloadResult result, string uidScope, string algorithmVersion, DateTimeOffset contentDateTime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uidScope);
        ArgumentException.ThrowIfNullOrWhiteSpace(algorithmVersion);
        var reference = result.Sources[0];
        var name = $"cl2 {result.Workload.Name}";
        var report = new MeasurementReportContent
        {
            StudyImage = reference.Instances[0],
            SopInstanceUid = NameBasedUid.For($"infer/report/{uidScope}"),
            SeriesInstanceUid = NameBasedUid.For($"infer/report-series/{uidScope}"),
            SeriesNumber = 2000 + (reference.Selection.Series.SeriesNumber ?? 0),
            SeriesDescription = $"{name} report",
            ContentDateTime = contentDateTime,
            Observer = new DeviceObserver(NameBasedUid.For($"model/{result.Manifest.ContentAddress()}"), name, $"{name} {algorithmVersion}"),
            SoftwareVersions = SoftwareVersion,
        };
        SegmentationContent? content = null;
        DicomFile? segmentation = null;
        IReadOnlyList<VolumeMeasurement> volumes = [];
        if (result.Segmentation is { } output)
        {
            content = new SegmentationContent
            {
                SourceImages = reference.Instances,
                Segments = [.. output.Segments.Select(segment => new SegmentMask(
                    new SegmentDescription(segment.Segment.Label, segment.Segment.Name, segment.Segment.Property), segment.Mask))],
                SopInstanceUid = NameBasedUid.For($"infer/segmentation/{uidScope}"),
                SeriesInstanceUid = NameBasedUid.For($"infer/segmentation-series/{uidScope}"),
                SeriesNumber = 1000 + (reference.Selection.Series.SeriesNumber ?? 0),
                SeriesDescription = name,
                ContentDateTime = contentDateTime,
                AlgorithmName = name,
                AlgorithmVersion = algorithmVersion,
                SoftwareVersions = SoftwareVersion,
            };
            segmentation = SegmentationWriter.Write(content);
            volumes = VolumeMeasurement.ForSegments(content);
            report = report with
            {
                Segmentation = new SegmentationReference(content.SopInstanceUid, content.SeriesInstanceUid, reference.SeriesInstanceUid),
                Volumes = volumes,
            };
        }
        if (result.Classification is { } finding)
        {
            report = report with
            {
                Findings = [new ClassificationFinding(finding.Finding.Finding, finding.Present, finding.Probability, reference.Instances[0],
                    FindingSite: finding.Finding.FindingSite)],
            };
        }
        return new ResultObjects(segmentation, content, MeasurementReportWriter.Write(report), volumes);
    }

    /// <summary>The first 12 hex digits of a <c>sha256:</c> content address: short enough for an algorithm version.</summary>
    public static string ShortAddress(string contentAddress) => contentAddress["sha256:".Length..][..12];

    private static string SoftwareVersion => typeof(ResultObjects).Assembly.GetName().Version?.ToString() ?? "unknown";
}
