using Cl2.Dicom.Coding;

namespace Cl2.Dicom.Segmentation;

/// <summary>
/// Writes a DICOM Segmentation (Segmentation Storage 1.2.840.10008.5.1.4.1.1.66.4, PS3.3 §A.51), BINARY, 1 bit per pixel,
/// Explicit VR Little Endian, on the grid of its single-frame source series.
/// <para>
/// Frames: for each segment in number order, one frame per source slice (in order along the normal) where the segment has a
/// voxel. Each frame carries Derivation Image (its source instance, purpose of reference 121322), Frame Content with
/// Dimension Index Values (Referenced Segment Number, then the slice's 1-based index along the normal), Plane Position
/// (Patient) and Segment Identification; Pixel Measures and Plane Orientation are shared. Patient, study and Frame of
/// Reference come from the source images; Common Instance Reference lists every source instance.
/// </para>
/// <para>
/// A segmentation with no voxel in any segment is still written, with one all-zero frame of segment 1 on the first slice:
/// the IOD needs at least one frame, and an explicit "the model found nothing" is a result a reviewer should see. A segment
/// without voxels (while another has some) is listed in the Segment Sequence and has no frame.
/// </para>
/// </summary>
public static class SegmentationWriter
{
    /// <summary>Segment Algorithm Type (0062,0008) of everything cl2's models produce.</summary>
    public const string AutomaticAlgorithmType = "AUTOMATIC";

    /// <exception cref="SegmentationException">The sources are not one series of single-frame images, the segments are not
    /// numbered 1, 2, 3…, or a mask does not fit the source grid.</exception>
    /// <exception cref="Imaging.VolumeAssemblyException">The source images do not form a regular volume.</exception>
    public static DicomFile Write(SegmentationContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var source = SourceSeries.From(content.SourceImages);
        CheckSegments(content.Segments, source);

        var frames = FramesOf(content.Segments, source);
        var dataset = new DicomDataset();
        if (source.First.TryGetElement(DicomTags.SpecificCharacterSet, out var characterSet))
        {
            dataset.Add(characterSet);
        }
        CopyPatientAndStudy(source.First, dataset);
        if (source.First.TryGetElement(DicomTags.BodyPartExamined, out var bodyPart))
        {
            dataset.Add(bodyPart); // General Series: a SEG keeps its source's body part; SR documents have no such attribute.
        }
        var date = DateOnly.FromDateTime(content.ContentDateTime.DateTime);
        var time = TimeOnly.FromDateTime(content.ContentDateTime.DateTime);
        dataset
            .SetUid(DicomTags.SOPClassUID, DicomUids.SegmentationStorage)
            .SetUid(DicomTags.SOPInstanceUID, content.SopInstanceUid)
            .SetDate(DicomTags.InstanceCreationDate, date)
            .SetTime(DicomTags.InstanceCreationTime, time)
            .SetString(DicomTags.Modality, "SEG")
            .SetUid(DicomTags.SeriesInstanceUID, content.SeriesInstanceUid)
            .SetValues(DicomTags.SeriesNumber, content.SeriesNumber)
            .SetString(DicomTags.SeriesDescription, content.SeriesDescription)
            .SetDate(DicomTags.SeriesDate, date)
            .SetTime(DicomTags.SeriesTime, time)
            .SetUid(DicomTags.FrameOfReferenceUID, source.First.GetString(DicomTags.FrameOfReferenceUID).Trim())
            .SetString(DicomTags.PositionReferenceIndicator, source.First.GetStringOrDefault(DicomTags.PositionReferenceIndicator, "")!)
            .SetString(DicomTags.Manufacturer, content.Manufacturer)
            .SetString(DicomTags.ManufacturerModelName, content.ManufacturerModelName)
            .SetString(DicomTags.DeviceSerialNumber, content.DeviceSerialNumber)
            .SetString(DicomTags.SoftwareVersions, content.SoftwareVersions)
            .SetStrings(DicomTags.ImageType, "DERIVED", "PRIMARY")
            .SetValues(DicomTags.InstanceNumber, content.InstanceNumber)
            .SetDate(DicomTags.ContentDate, date)
            .SetTime(DicomTags.ContentTime, time)
            .SetString(DicomTags.ContentLabel, content.ContentLabel)
            .SetString(DicomTags.ContentDescription, content.ContentDescription)
            .SetString(DicomTags.ContentCreatorName, "")
            .SetValues(DicomTags.SamplesPerPixel, (ushort)1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetValues(DicomTags.Rows, (ushort)source.Rows)
            .SetValues(DicomTags.Columns, (ushort)source.Columns)
            .SetValues(DicomTags.BitsAllocated, (ushort)1)
            .SetValues(DicomTags.BitsStored, (ushort)1)
            .SetValues(DicomTags.HighBit, (ushort)0)
            .SetValues(DicomTags.PixelRepresentation, (ushort)0)
            .SetString(DicomTags.LossyImageCompression, "00")
            .SetString(DicomTags.SegmentationType, "BINARY")
            .SetValues(DicomTags.NumberOfFrames, frames.Count);
        dataset.Add(new DicomSequence(DicomTags.SegmentSequence, content.Segments.Select(s => SegmentItem(s.Segment, content))));
        AddDimensions(dataset, content.SopInstanceUid);
        dataset.Add(new DicomSequence(DicomTags.SharedFunctionalGroupsSequence, [SharedGroups(source)]));
        dataset.Add(new DicomSequence(DicomTags.PerFrameFunctionalGroupsSequence, frames.Select(f => FrameGroups(f, source))));
        dataset.Add(new DicomSequence(DicomTags.ReferencedSeriesSequence, [ReferencedSeries(source)]));
        dataset.SetBytes(DicomTags.PixelData, DicomVR.OB, Pack(frames, content.Segments, source));

        var meta = DicomFileMetaInformation.Create(DicomUids.SegmentationStorage.Value, content.SopInstanceUid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid);
        return new DicomFile(meta, dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    /// <summary>The attributes of the Patient, General Study and Patient Study modules copied from the source (type 2 ones empty if absent).</summary>
    private static readonly DicomTag[] PatientAndStudy =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.IssuerOfPatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.PatientAge, DicomTags.PatientWeight, DicomTags.PatientSize, DicomTags.PatientComments,
        DicomTags.StudyInstanceUID, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID,
        DicomTags.AccessionNumber, DicomTags.StudyDescription, DicomTags.StudyComments,
    ];

    private static readonly DicomTag[] TypeTwo =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
    ];

    /// <summary>Copies patient and study attributes from one image of the series the result belongs to (SEG and SR alike).</summary>
    internal static void CopyPatientAndStudy(DicomDataset source, DicomDataset target)
    {
        foreach (var tag in PatientAndStudy)
        {
            if (source.TryGetElement(tag, out var element))
            {
                target.Add(element);
            }
        }
        foreach (var tag in TypeTwo.Where(t => !target.Contains(t)))
        {
            target.SetString(tag, "");
        }
    }

    private static void CheckSegments(IReadOnlyList<SegmentMask> segments, SourceSeries source)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            throw new SegmentationException(SegmentationFailure.InvalidSegments, "a segmentation needs at least one segment");
        }
        var voxels = source.Depth * source.SliceVoxels;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i].Segment;
            if (segment.Number != i + 1)
            {
                throw new SegmentationException(SegmentationFailure.InvalidSegments,
                    $"segment {i + 1} in the list has number {segment.Number}; number segments 1, 2, 3… in order (PS3.3 §C.8.20.2.3)");
            }
            if (string.IsNullOrWhiteSpace(segment.Label))
            {
                throw new SegmentationException(SegmentationFailure.InvalidSegments, $"segment {segment.Number} has no label");
            }
            if (segments[i].Voxels.Length != voxels)
            {
                throw new SegmentationException(SegmentationFailure.MaskSizeMismatch,
                    $"the mask of segment {segment.Number} ('{segment.Label}') has {segments[i].Voxels.Length} voxels; the source grid has {source.Depth}x{source.Rows}x{source.Columns} = {voxels}");
            }
        }
    }

    private readonly record struct Frame(int Segment, int Slice);

    private static List<Frame> FramesOf(IReadOnlyList<SegmentMask> segments, SourceSeries source)
    {
        var frames = new List<Frame>();
        foreach (var mask in segments)
        {
            for (var z = 0; z < source.Depth; z++)
            {
                if (mask.Voxels.AsSpan(z * source.SliceVoxels, source.SliceVoxels).ContainsAnyExcept((byte)0))
                {
                    frames.Add(new Frame(mask.Segment.Number, z));
                }
            }
        }
        return frames.Count > 0 ? frames : [new Frame(1, 0)];
    }

    private static DicomDataset SegmentItem(SegmentDescription segment, SegmentationContent content)
    {
        var item = new DicomDataset()
            .SetValues(DicomTags.SegmentNumber, (ushort)segment.Number)
            .SetString(DicomTags.SegmentLabel, segment.Label)
            .SetString(DicomTags.SegmentAlgorithmType, AutomaticAlgorithmType)
            .SetString(DicomTags.SegmentAlgorithmName, $"{content.AlgorithmName} {content.AlgorithmVersion}");
        item.Add(segment.Property.Category.ToSequence(DicomTags.SegmentedPropertyCategoryCodeSequence));
        item.Add(segment.Property.Type.ToSequence(DicomTags.SegmentedPropertyTypeCodeSequence));
        if (segment.Property.AnatomicRegion is { } region)
        {
            item.Add(region.ToSequence(DicomTags.AnatomicRegionSequence));
        }
        return item;
    }

    private static void AddDimensions(DicomDataset dataset, string sopInstanceUid)
    {
        var organization = NameBasedUid.For(sopInstanceUid + "/dimension-organization");
        dataset.Add(new DicomSequence(DicomTags.DimensionOrganizationSequence,
            [new DicomDataset().SetUid(DicomTags.DimensionOrganizationUID, organization)]));
        dataset.SetString(DicomTags.DimensionOrganizationType, "3D");
        DicomDataset Index(DicomTag pointer, DicomTag group, string label) => new DicomDataset()
            .SetUid(DicomTags.DimensionOrganizationUID, organization)
            .SetValues(DicomTags.DimensionIndexPointer, pointer)
            .SetValues(DicomTags.FunctionalGroupPointer, group)
            .SetString(DicomTags.DimensionDescriptionLabel, label);
        dataset.Add(new DicomSequence(DicomTags.DimensionIndexSequence,
        [
            Index(DicomTags.ReferencedSegmentNumber, DicomTags.SegmentIdentificationSequence, "Segment Number"),
            Index(DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, "Image Position Patient"),
        ]));
    }

    private static DicomDataset SharedGroups(SourceSeries source)
    {
        var first = source.First;
        var measures = new DicomDataset().Add(first.GetElement(DicomTags.PixelSpacing));
        if (first.TryGetElement(DicomTags.SliceThickness, out var thickness) && thickness is DicomValueElement { Length: > 0 })
        {
            measures.Add(thickness);
        }
        else if (source.Depth > 1)
        {
            measures.SetString(DicomTags.SliceThickness, DicomVR.DS, DecimalString.Format(source.Volume.SliceSpacing));
        }
        if (source.Depth > 1)
        {
            measures.SetString(DicomTags.SpacingBetweenSlices, DicomVR.DS, DecimalString.Format(source.Volume.SliceSpacing));
        }
        return new DicomDataset()
            .Add(new DicomSequence(DicomTags.PixelMeasuresSequence, [measures]))
            .Add(new DicomSequence(DicomTags.PlaneOrientationSequence, [new DicomDataset().Add(first.GetElement(DicomTags.ImageOrientationPatient))]));
    }

    private static DicomDataset FrameGroups(Frame frame, SourceSeries source)
    {
        var image = source.Images[frame.Slice];
        var sourceImage = new DicomDataset()
            .SetUid(DicomTags.ReferencedSOPClassUID, image.GetString(DicomTags.SOPClassUID).Trim())
            .SetUid(DicomTags.ReferencedSOPInstanceUID, SourceSeries.Uid(image))
            .Add(CodedConcepts.SourceImageForImageProcessingOperation.ToSequence(DicomTags.PurposeOfReferenceCodeSequence));
        var derivation = new DicomDataset()
            .Add(CodedConcepts.Segmentation.ToSequence(DicomTags.DerivationCodeSequence))
            .Add(new DicomSequence(DicomTags.SourceImageSequence, [sourceImage]));
        return new DicomDataset()
            .Add(new DicomSequence(DicomTags.DerivationImageSequence, [derivation]))
            .Add(new DicomSequence(DicomTags.FrameContentSequence,
                [new DicomDataset().SetValues(DicomTags.DimensionIndexValues, (uint)frame.Segment, (uint)(frame.Slice + 1))]))
            .Add(new DicomSequence(DicomTags.PlanePositionSequence, [new DicomDataset().Add(image.GetElement(DicomTags.ImagePositionPatient))]))
            .Add(new DicomSequence(DicomTags.SegmentIdentificationSequence,
                [new DicomDataset().SetValues(DicomTags.ReferencedSegmentNumber, (ushort)frame.Segment)]));
    }

    private static DicomDataset ReferencedSeries(SourceSeries source) => new DicomDataset()
        .SetUid(DicomTags.SeriesInstanceUID, source.SeriesInstanceUid)
        .Add(new DicomSequence(DicomTags.ReferencedInstanceSequence, source.Images.Select(image => new DicomDataset()
            .SetUid(DicomTags.ReferencedSOPClassUID, image.GetString(DicomTags.SOPClassUID).Trim())
            .SetUid(DicomTags.ReferencedSOPInstanceUID, SourceSeries.Uid(image)))));

    private static byte[] Pack(List<Frame> frames, IReadOnlyList<SegmentMask> segments, SourceSeries source)
    {
        var perFrame = source.SliceVoxels;
        var packed = new byte[BinaryFrames.PackedLength(frames.Count, perFrame)];
        for (var f = 0; f < frames.Count; f++)
        {
            var voxels = segments[frames[f].Segment - 1].Voxels.AsSpan(frames[f].Slice * perFrame, perFrame);
            BinaryFrames.Pack(voxels, packed, (long)f * perFrame);
        }
        return packed;
    }
}
