using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;
using static Cl2.Dicom.StructuredReports.ContentItems;

namespace Cl2.Dicom.StructuredReports;

/// <summary>
/// Writes a TID 1500 Imaging Measurement Report as Enhanced SR (1.2.840.10008.5.1.4.1.1.88.22), Explicit VR Little Endian:
/// language en-US, the model as device observer, procedure reported, an Image Library of the images findings were made on
/// (left out when there are none: a report of volumes alone refers to the segmentation),
/// and under Imaging Measurements one Measurement Group per segment volume (TID 1411: tracking identifier and UID, finding,
/// finding site, referenced segment, source series, Volume in ml) and per classification finding (TID 1501: tracking
/// identifier and UID, finding, finding site with laterality, Probability inferred from the image, and the finding coded
/// Present or Absent). The Current Requested Procedure Evidence Sequence lists every instance the content refers to.
/// </summary>
public static class MeasurementReportWriter
{
    /// <exception cref="ArgumentException">Volumes without the segmentation they measure, or a probability outside [0, 1].</exception>
    public static DicomFile Write(MeasurementReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Volumes.Count > 0 && content.Segmentation is null)
        {
            throw new ArgumentException("volumes refer to segments: set Segmentation to the SEG they were measured on", nameof(content));
        }
        if (content.Volumes.Count == 0 && content.Findings.Count == 0)
        {
            throw new ArgumentException("a measurement report needs at least one volume or finding", nameof(content));
        }
        if (content.Findings.FirstOrDefault(f => f.Probability is < 0 or > 1 || double.IsNaN(f.Probability)) is { } bad)
        {
            throw new ArgumentException($"the probability of {bad.Finding} is {bad.Probability}; give a value from 0 to 1", nameof(content));
        }

        var dataset = new DicomDataset();
        if (content.StudyImage.TryGetElement(DicomTags.SpecificCharacterSet, out var characterSet))
        {
            dataset.Add(characterSet);
        }
        SegmentationWriter.CopyPatientAndStudy(content.StudyImage, dataset);
        var date = DateOnly.FromDateTime(content.ContentDateTime.DateTime);
        var time = TimeOnly.FromDateTime(content.ContentDateTime.DateTime);
        dataset
            .SetUid(DicomTags.SOPClassUID, DicomUids.EnhancedSRStorage)
            .SetUid(DicomTags.SOPInstanceUID, content.SopInstanceUid)
            .SetDate(DicomTags.InstanceCreationDate, date)
            .SetTime(DicomTags.InstanceCreationTime, time)
            .SetString(DicomTags.Modality, "SR")
            .SetUid(DicomTags.SeriesInstanceUID, content.SeriesInstanceUid)
            .SetValues(DicomTags.SeriesNumber, content.SeriesNumber)
            .SetString(DicomTags.SeriesDescription, content.SeriesDescription)
            .SetDate(DicomTags.SeriesDate, date)
            .SetTime(DicomTags.SeriesTime, time)
            .SetString(DicomTags.Manufacturer, content.Manufacturer)
            .SetString(DicomTags.SoftwareVersions, content.SoftwareVersions)
            .SetValues(DicomTags.InstanceNumber, content.InstanceNumber)
            .SetDate(DicomTags.ContentDate, date)
            .SetTime(DicomTags.ContentTime, time)
            .SetString(DicomTags.CompletionFlag, "COMPLETE")
            .SetString(DicomTags.VerificationFlag, "UNVERIFIED")
            .SetString(DicomTags.ValueType, "CONTAINER")
            .SetString(DicomTags.ContinuityOfContent, "SEPARATE");
        dataset.Add(new DicomSequence(DicomTags.ReferencedPerformedProcedureStepSequence));
        dataset.Add(new DicomSequence(DicomTags.PerformedProcedureCodeSequence));
        dataset.Add(CodedConcepts.ImagingMeasurementReport.ToSequence(DicomTags.ConceptNameCodeSequence));
        dataset.Add(new DicomSequence(DicomTags.ContentTemplateSequence,
            [new DicomDataset().SetString(DicomTags.MappingResource, "DCMR").SetString(DicomTags.TemplateIdentifier, "1500")]));
        dataset.Add(new DicomSequence(DicomTags.ContentSequence, RootChildren(content)));
        dataset.Add(new DicomSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence, Evidence(content)));

        var meta = DicomFileMetaInformation.Create(DicomUids.EnhancedSRStorage.Value, content.SopInstanceUid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid);
        return new DicomFile(meta, dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    private static IEnumerable<DicomDataset> RootChildren(MeasurementReportContent content)
    {
        yield return Code(HasConceptModifier, CodedConcepts.LanguageOfContentItemAndDescendants, CodedConcepts.EnglishUnitedStates);
        yield return Code(HasObservationContext, CodedConcepts.ObserverType, CodedConcepts.Device);
        yield return UidRef(HasObservationContext, CodedConcepts.DeviceObserverUid, content.Observer.Uid);
        yield return Text(HasObservationContext, CodedConcepts.DeviceObserverName, content.Observer.Name);
        yield return Text(HasObservationContext, CodedConcepts.DeviceObserverManufacturer, content.Observer.Manufacturer);
        yield return Text(HasObservationContext, CodedConcepts.DeviceObserverModelName, content.Observer.ModelName);
        yield return Code(HasConceptModifier, CodedConcepts.ProcedureReported, content.ProcedureReported);
        var library = content.Findings
            .Select(f => (Class: Trimmed(f.Image, DicomTags.SOPClassUID), Instance: Trimmed(f.Image, DicomTags.SOPInstanceUID)))
            .Distinct()
            .Select(image => Image(Contains, null, image.Class, image.Instance))
            .ToList();
        // An empty container is an error (Content Sequence is type 1C), so a report of volumes alone has no Image Library:
        // its images are the segmentation's, reached through Referenced Segment.
        if (library.Count > 0)
        {
            yield return Container(Contains, CodedConcepts.ImageLibrary, library);
        }
        var groups = content.Volumes.Select(v => VolumeGroup(v, content))
            .Concat(content.Findings.Select((f, i) => FindingGroup(f, i, content)));
        yield return Container(Contains, CodedConcepts.ImagingMeasurements, groups);
    }

    private static DicomDataset VolumeGroup(VolumeMeasurement volume, MeasurementReportContent content)
    {
        var segmentation = content.Segmentation!;
        var segment = volume.Segment;
        var children = new List<DicomDataset>
        {
            Text(HasObservationContext, CodedConcepts.TrackingIdentifier, segment.Label),
            UidRef(HasObservationContext, CodedConcepts.TrackingUniqueIdentifier, NameBasedUid.For($"{segmentation.SopInstanceUid}/segment/{segment.Number}")),
            Code(Contains, CodedConcepts.Finding, segment.Property.Type),
        };
        if (segment.Property.AnatomicRegion is { } site)
        {
            children.Add(Code(HasConceptModifier, CodedConcepts.FindingSite, site));
        }
        children.Add(Image(Contains, CodedConcepts.ReferencedSegment, DicomUids.SegmentationStorage.Value, segmentation.SopInstanceUid, segment.Number));
        children.Add(UidRef(Contains, CodedConcepts.SourceSeriesForSegmentation, segmentation.SourceSeriesInstanceUid));
        children.Add(Number(Contains, CodedConcepts.Volume, volume.Millilitres, CodedConcepts.Millilitre));
        return Container(Contains, CodedConcepts.MeasurementGroup, children);
    }

    private static DicomDataset FindingGroup(ClassificationFinding finding, int index, MeasurementReportContent content)
    {
        var imageClass = Trimmed(finding.Image, DicomTags.SOPClassUID);
        var imageInstance = Trimmed(finding.Image, DicomTags.SOPInstanceUID);
        var label = finding.TrackingIdentifier.Length > 0 ? finding.TrackingIdentifier : finding.Finding.Meaning;
        var children = new List<DicomDataset>
        {
            Text(HasObservationContext, CodedConcepts.TrackingIdentifier, label),
            UidRef(HasObservationContext, CodedConcepts.TrackingUniqueIdentifier, NameBasedUid.For($"{content.SopInstanceUid}/finding/{index}")),
            Code(Contains, CodedConcepts.Finding, finding.Finding),
        };
        if (finding.FindingSite is { } site)
        {
            children.Add(finding.Laterality is { } side
                ? Code(HasConceptModifier, CodedConcepts.FindingSite, site, Code(HasConceptModifier, CodedConcepts.Laterality, side))
                : Code(HasConceptModifier, CodedConcepts.FindingSite, site));
        }
        children.Add(Number(Contains, CodedConcepts.Probability, finding.Probability, CodedConcepts.NoUnits,
            Image(InferredFrom, CodedConcepts.SourceOfMeasurement, imageClass, imageInstance)));
        children.Add(Code(Contains, finding.Finding, finding.Present ? CodedConcepts.Present : CodedConcepts.Absent));
        return Container(Contains, CodedConcepts.MeasurementGroup, children);
    }

    /// <summary>Hierarchical SOP Instance Reference (PS3.3 Table C.17-3): the study, then each series and its instances.</summary>
    private static IEnumerable<DicomDataset> Evidence(MeasurementReportContent content)
    {
        var instances = new List<(string Series, string Class, string Instance)>();
        if (content.Segmentation is { } segmentation && content.Volumes.Count > 0)
        {
            instances.Add((segmentation.SeriesInstanceUid, DicomUids.SegmentationStorage.Value, segmentation.SopInstanceUid));
        }
        instances.AddRange(content.Findings.Select(f =>
            (Trimmed(f.Image, DicomTags.SeriesInstanceUID), Trimmed(f.Image, DicomTags.SOPClassUID), Trimmed(f.Image, DicomTags.SOPInstanceUID))));
        var series = instances.Distinct().GroupBy(i => i.Series).Select(group => new DicomDataset()
            .SetUid(DicomTags.SeriesInstanceUID, group.Key)
            .Add(new DicomSequence(DicomTags.ReferencedSOPSequence, group.Select(i => new DicomDataset()
                .SetUid(DicomTags.ReferencedSOPClassUID, i.Class)
                .SetUid(DicomTags.ReferencedSOPInstanceUID, i.Instance)))));
        yield return new DicomDataset()
            .SetUid(DicomTags.StudyInstanceUID, Trimmed(content.StudyImage, DicomTags.StudyInstanceUID))
            .Add(new DicomSequence(DicomTags.ReferencedSeriesSequence, series));
    }

    private static string Trimmed(DicomDataset dataset, DicomTag tag) => dataset.GetString(tag).Trim();
}
