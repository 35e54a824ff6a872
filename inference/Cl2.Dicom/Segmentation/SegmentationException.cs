namespace Cl2.Dicom.Segmentation;

/// <summary>Why a segmentation could not be written or read.</summary>
public enum SegmentationFailure
{
    Unspecified,

    /// <summary>The source images are not one series of one study with one frame of reference.</summary>
    SourceNotOneSeries,

    /// <summary>A source image is multi-frame; the writer and reader map masks onto single-frame images only.</summary>
    MultiFrameSource,

    /// <summary>Segment numbers are not 1, 2, 3… in order, or a label or code is missing.</summary>
    InvalidSegments,

    /// <summary>A mask does not have one byte per voxel of the source grid.</summary>
    MaskSizeMismatch,

    /// <summary>The object is not a Segmentation Storage instance.</summary>
    NotASegmentation,

    /// <summary>The Segmentation Type is neither BINARY nor FRACTIONAL (or a required pixel attribute disagrees with it).</summary>
    UnsupportedSegmentationType,

    /// <summary>The Segment Sequence (0062,0002) is missing or empty.</summary>
    MissingSegmentSequence,

    /// <summary>Number of Frames, the Per-frame Functional Groups and the Pixel Data do not agree.</summary>
    FrameCountMismatch,

    /// <summary>A frame names a segment number the Segment Sequence does not define, or none at all.</summary>
    UnknownSegment,

    /// <summary>The segmentation's rows, columns, orientation or frame of reference differ from the source images'.</summary>
    GridMismatch,

    /// <summary>A frame refers to no source image and its position lies on no source slice.</summary>
    FrameOutsideSourceGrid,

    /// <summary>The Pixel Data is encapsulated (compressed); the reader takes native pixel data.</summary>
    EncapsulatedPixelData,
}

/// <summary>A segmentation that cannot be written or read; <see cref="Reason"/> says which check failed, the message where and what to do.</summary>
public sealed class SegmentationException : Exception
{
    public SegmentationException()
    {
    }

    public SegmentationException(string message) : base(message)
    {
    }

    public SegmentationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public SegmentationException(SegmentationFailure reason, string message) : base($"{reason}: {message}") => Reason = reason;

    public SegmentationFailure Reason { get; }
}
