namespace Cl2.Dicom.Segmentation;

/// <summary>
/// Everything <see cref="SegmentationWriter"/> needs for one Segmentation instance. The caller supplies the UIDs so that a
/// result sent again is the same object (a PACS that has it sees a duplicate, not a second segmentation).
/// </summary>
public sealed record SegmentationContent
{
    /// <summary>The single-frame images of one source series, parsed, in any order (they are sorted along the normal).</summary>
    public required IReadOnlyList<DicomDataset> SourceImages { get; init; }

    /// <summary>One mask per segment, numbered 1, 2, 3… in order, each on the source grid.</summary>
    public required IReadOnlyList<SegmentMask> Segments { get; init; }

    public required string SopInstanceUid { get; init; }

    public required string SeriesInstanceUid { get; init; }

    public required int SeriesNumber { get; init; }

    public string SeriesDescription { get; init; } = "";

    /// <summary>Content Date and Time: when the segmentation was made (written as the offset's local clock time).</summary>
    public required DateTimeOffset ContentDateTime { get; init; }

    /// <summary>The model's name; with <see cref="AlgorithmVersion"/> it becomes each segment's Segment Algorithm Name.</summary>
    public required string AlgorithmName { get; init; }

    public required string AlgorithmVersion { get; init; }

    public string Manufacturer { get; init; } = "cl2";

    public string ManufacturerModelName { get; init; } = "cl2";

    public string DeviceSerialNumber { get; init; } = "cl2";

    /// <summary>Software Versions (0018,1020) of the Enhanced General Equipment module.</summary>
    public required string SoftwareVersions { get; init; }

    public int InstanceNumber { get; init; } = 1;

    /// <summary>Content Label (CS: upper case, digits, space, underscore; at most 16 characters).</summary>
    public string ContentLabel { get; init; } = "SEGMENTATION";

    public string ContentDescription { get; init; } = "";
}
