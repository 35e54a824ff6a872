using Cl2.Dicom.Coding;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Segmentation;

/// <summary>A segment as read from a segmentation: its description, algorithm and voxels on the source grid (0/1 bytes).</summary>
/// <param name="AlgorithmType">Segment Algorithm Type: AUTOMATIC, SEMIAUTOMATIC or MANUAL.</param>
/// <param name="Voxels">In (slice, row, column) order on the source grid, slices sorted along the normal.</param>
public sealed record ReadSegment(SegmentDescription Description, string AlgorithmType, string? AlgorithmName, byte[] Voxels);

/// <summary>What <see cref="SegmentationReader.Read"/> returns: the segments, and the source grid they lie on.</summary>
public sealed record ReadSegmentation(string SopInstanceUid, SeriesVolume SourceGrid, IReadOnlyList<ReadSegment> Segments);

/// <summary>
/// Reads a BINARY or FRACTIONAL DICOM Segmentation, ours or another tool's, into one mask per segment on the grid of its
/// source series. A frame is placed on the source slice its Derivation Image names (Referenced SOP Instance UID); a
/// frame without one is placed by its Image Position (Patient) against the source geometry. Several frames of one
/// segment on one slice are combined (logical or). FRACTIONAL values count as inside from
/// <c>threshold × Maximum Fractional Value</c> on.
/// </summary>
public static class SegmentationReader
{
    /// <summary>How far a frame's position may lie from a source slice, as a fraction of the slice spacing (in-plane: of a pixel).</summary>
    public const double PositionTolerance = 0.1;

    /// <param name="segmentation">The segmentation's data set.</param>
    /// <param name="sourceImages">The single-frame images of the series it was made on, in any order.</param>
    /// <param name="fractionalThreshold">For FRACTIONAL segmentations: the fraction of the maximum value from which a pixel is inside.</param>
    /// <exception cref="SegmentationException">The object is not a segmentation this reader takes, is inconsistent, or does not fit the sources.</exception>
    public static ReadSegmentation Read(DicomDataset segmentation, IReadOnlyList<DicomDataset> sourceImages, double fractionalThreshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fractionalThreshold);
        var sopClass = segmentation.GetStringOrDefault(DicomTags.SOPClassUID, "")!.Trim();
        if (sopClass != DicomUids.SegmentationStorage.Value)
        {
            throw new SegmentationException(SegmentationFailure.NotASegmentation,
                $"SOP Class UID is '{sopClass}', not Segmentation Storage {DicomUids.SegmentationStorage.Value}");
        }
        var sopInstance = segmentation.GetStringOrDefault(DicomTags.SOPInstanceUID, "")!.Trim();
        var source = SourceSeries.From(sourceImages);
        var segments = Segments(segmentation);
        var pixels = Pixels.Of(segmentation, source, fractionalThreshold);
        var frames = segmentation.TryGetSequence(DicomTags.PerFrameFunctionalGroupsSequence, out var perFrame) ? perFrame.Items : [];
        if (frames.Count != pixels.Frames)
        {
            throw new SegmentationException(SegmentationFailure.FrameCountMismatch,
                $"Number of Frames is {pixels.Frames} but the Per-frame Functional Groups Sequence has {frames.Count} items");
        }
        var shared = segmentation.TryGetSequence(DicomTags.SharedFunctionalGroupsSequence, out var sharedSequence) && sharedSequence.Items.Count > 0
            ? sharedSequence.Items[0]
            : new DicomDataset();
        CheckOrientation(shared, source);

        var voxels = segments.ToDictionary(s => s.Description.Number, _ => new byte[source.Depth * source.SliceVoxels]);
        for (var f = 0; f < frames.Count; f++)
        {
            var number = SegmentNumberOf(frames[f], shared, f);
            if (!voxels.TryGetValue(number, out var mask))
            {
                throw new SegmentationException(SegmentationFailure.UnknownSegment,
                    $"frame {f + 1} belongs to segment {number}, which the Segment Sequence does not define");
            }
            var z = SliceOf(frames[f], shared, source, f);
            pixels.Unpack(f, mask.AsSpan(z * source.SliceVoxels, source.SliceVoxels));
        }
        return new ReadSegmentation(sopInstance, source.Volume,
            segments.Select(s => s with { Voxels = voxels[s.Description.Number] }).ToList());
    }

    private static List<ReadSegment> Segments(DicomDataset segmentation)
    {
        if (!segmentation.TryGetSequence(DicomTags.SegmentSequence, out var sequence) || sequence.Items.Count == 0)
        {
            throw new SegmentationException(SegmentationFailure.MissingSegmentSequence,
                "the segmentation has no Segment Sequence (0062,0002) items, so its frames cannot be named");
        }
        var segments = new List<ReadSegment>();
        foreach (var item in sequence.Items)
        {
            if (!item.TryGetValue<int>(DicomTags.SegmentNumber, out var number))
            {
                throw new SegmentationException(SegmentationFailure.MissingSegmentSequence, $"item {segments.Count + 1} of the Segment Sequence has no Segment Number (0062,0004)");
            }
            var property = new SegmentedProperty(Code(item, DicomTags.SegmentedPropertyCategoryCodeSequence, number)!,
                Code(item, DicomTags.SegmentedPropertyTypeCodeSequence, number)!, Code(item, DicomTags.AnatomicRegionSequence, number, required: false));
            segments.Add(new ReadSegment(new SegmentDescription(number, item.GetStringOrDefault(DicomTags.SegmentLabel, "")!, property),
                item.GetStringOrDefault(DicomTags.SegmentAlgorithmType, "")!.Trim(), item.GetStringOrDefault(DicomTags.SegmentAlgorithmName), []));
        }
        var twice = segments.GroupBy(s => s.Description.Number).FirstOrDefault(g => g.Count() > 1);
        return twice is null
            ? segments
            : throw new SegmentationException(SegmentationFailure.InvalidSegments, $"segment number {twice.Key} is defined {twice.Count()} times");
    }

    private static CodedConcept? Code(DicomDataset item, DicomTag sequence, int segment, bool required = true)
    {
        if (item.TryGetSequence(sequence, out var codes) && codes.Items.Count > 0)
        {
            try
            {
                return CodedConcept.FromItem(codes.Items[0]);
            }
            catch (FormatException e)
            {
                throw new SegmentationException(SegmentationFailure.InvalidSegments, $"segment {segment}: {DicomDataset.Describe(sequence)}: {e.Message}");
            }
        }
        return required
            ? throw new SegmentationException(SegmentationFailure.InvalidSegments, $"segment {segment} has no {DicomDataset.Describe(sequence)}")
            : null;
    }

    private static DicomDataset? Group(DicomDataset frame, DicomDataset shared, DicomTag sequence) =>
        (frame.TryGetSequence(sequence, out var own) && own.Items.Count > 0) ? own.Items[0]
        : (shared.TryGetSequence(sequence, out var common) && common.Items.Count > 0) ? common.Items[0]
        : null;

    private static int SegmentNumberOf(DicomDataset frame, DicomDataset shared, int index) =>
        Group(frame, shared, DicomTags.SegmentIdentificationSequence) is { } identification
        && identification.TryGetValue<int>(DicomTags.ReferencedSegmentNumber, out var number)
            ? number
            : throw new SegmentationException(SegmentationFailure.UnknownSegment,
                $"frame {index + 1} has no Segment Identification Sequence (0062,000A) with a Referenced Segment Number");

    private static void CheckOrientation(DicomDataset shared, SourceSeries source)
    {
        if (Group(shared, shared, DicomTags.PlaneOrientationSequence) is not { } plane
            || !plane.TryGetValue<double>(DicomTags.ImageOrientationPatient, out _))
        {
            return; // orientation per frame, or none: frames are placed by their source image or position below
        }
        var o = plane.GetValues<double>(DicomTags.ImageOrientationPatient);
        var volume = source.Volume;
        double[] expected = [volume.RowDirection.X, volume.RowDirection.Y, volume.RowDirection.Z, volume.ColumnDirection.X, volume.ColumnDirection.Y, volume.ColumnDirection.Z];
        if (o.Length != 6 || o.Zip(expected).Any(p => Math.Abs(p.First - p.Second) > 1e-3))
        {
            throw new SegmentationException(SegmentationFailure.GridMismatch,
                $"the segmentation's Image Orientation (Patient) {string.Join('\\', o)} differs from the source's {string.Join('\\', expected)}; resample it onto the source grid first");
        }
    }

    private static int SliceOf(DicomDataset frame, DicomDataset shared, SourceSeries source, int index)
    {
        if (Group(frame, shared, DicomTags.DerivationImageSequence) is { } derivation
            && derivation.TryGetSequence(DicomTags.SourceImageSequence, out var images))
        {
            foreach (var image in images.Items)
            {
                if (source.SliceOf.TryGetValue(image.GetStringOrDefault(DicomTags.ReferencedSOPInstanceUID, "")!.Trim(), out var z))
                {
                    return z;
                }
            }
        }
        if (Group(frame, shared, DicomTags.PlanePositionSequence) is { } plane && plane.TryGetValue<double>(DicomTags.ImagePositionPatient, out _))
        {
            var p = plane.GetValues<double>(DicomTags.ImagePositionPatient);
            if (p.Length == 3)
            {
                return SliceAt(new PatientVector(p[0], p[1], p[2]), source, index);
            }
        }
        throw new SegmentationException(SegmentationFailure.FrameOutsideSourceGrid,
            $"frame {index + 1} names no source image of series {source.SeriesInstanceUid} and has no Image Position (Patient)");
    }

    private static int SliceAt(PatientVector position, SourceSeries source, int index)
    {
        var volume = source.Volume;
        var offset = position - volume.Origin;
        var along = offset.Dot(volume.Normal);
        var z = volume.SliceSpacing > 0 ? (int)Math.Round(along / volume.SliceSpacing) : 0;
        var off = volume.SliceSpacing > 0 ? Math.Abs(along - (z * volume.SliceSpacing)) / volume.SliceSpacing : Math.Abs(along);
        var inPlane = (offset - (volume.Normal * along)).Length;
        if (z < 0 || z >= source.Depth || off > PositionTolerance || inPlane > PositionTolerance * Math.Min(volume.RowSpacing, volume.ColumnSpacing))
        {
            throw new SegmentationException(SegmentationFailure.FrameOutsideSourceGrid,
                $"frame {index + 1} at {position} lies on no slice of source series {source.SeriesInstanceUid} (origin {volume.Origin}, {source.Depth} slices {volume.SliceSpacing} mm apart); resample the segmentation onto the source grid first");
        }
        return z;
    }

    /// <summary>The frames of the Pixel Data, BINARY (1 bit) or FRACTIONAL (8 bits, thresholded).</summary>
    private sealed class Pixels
    {
        private readonly byte[] _data;
        private readonly int _perFrame;
        private readonly int? _threshold;

        private Pixels(byte[] data, int frames, int perFrame, int? threshold)
        {
            this._data = data;
            Frames = frames;
            this._perFrame = perFrame;
            this._threshold = threshold;
        }

        public int Frames { get; }

        public static Pixels Of(DicomDataset segmentation, SourceSeries source, double fractionalThreshold)
        {
            var type = segmentation.GetStringOrDefault(DicomTags.SegmentationType, "")!.Trim();
            var bits = segmentation.GetValueOrDefault(DicomTags.BitsAllocated, 0);
            if (!((type == "BINARY" && bits == 1) || (type == "FRACTIONAL" && bits == 8)))
            {
                throw new SegmentationException(SegmentationFailure.UnsupportedSegmentationType,
                    $"Segmentation Type '{type}' with Bits Allocated {bits}; this reader takes BINARY with 1 bit and FRACTIONAL with 8 bits");
            }
            var rows = segmentation.GetValueOrDefault(DicomTags.Rows, 0);
            var columns = segmentation.GetValueOrDefault(DicomTags.Columns, 0);
            if (rows != source.Rows || columns != source.Columns)
            {
                throw new SegmentationException(SegmentationFailure.GridMismatch,
                    $"the segmentation is {rows}x{columns}, its source images {source.Rows}x{source.Columns}; resample it onto the source grid first");
            }
            if (!segmentation.TryGetValue<int>(DicomTags.NumberOfFrames, out var frames) || frames < 1)
            {
                throw new SegmentationException(SegmentationFailure.FrameCountMismatch, "the segmentation has no Number of Frames (0028,0008) of at least 1");
            }
            var element = segmentation.Find(DicomTags.PixelData);
            if (element is DicomFragmentSequence)
            {
                throw new SegmentationException(SegmentationFailure.EncapsulatedPixelData,
                    "the Pixel Data is compressed; decompress it first (e.g. dcmdrle or dcmdjpeg) or ask the sender for an uncompressed transfer syntax");
            }
            var data = element is DicomValueElement value ? value.Buffer.GetBytes().ToArray() : [];
            var perFrame = rows * columns;
            var needed = type == "BINARY" ? ((long)frames * perFrame + 7) / 8 : (long)frames * perFrame;
            if (data.Length < needed)
            {
                throw new SegmentationException(SegmentationFailure.FrameCountMismatch,
                    $"{frames} frames of {rows}x{columns} need {needed} bytes of Pixel Data; it has {data.Length}");
            }
            int? threshold = null;
            if (type == "FRACTIONAL")
            {
                var maximum = segmentation.GetValueOrDefault(DicomTags.MaximumFractionalValue, 255);
                threshold = Math.Max(1, (int)Math.Ceiling(fractionalThreshold * maximum));
            }
            return new Pixels(data, frames, perFrame, threshold);
        }

        public void Unpack(int frame, Span<byte> slice)
        {
            if (_threshold is not { } limit)
            {
                BinaryFrames.Unpack(_data, (long)frame * _perFrame, slice);
                return;
            }
            var values = _data.AsSpan(frame * _perFrame, _perFrame);
            for (var i = 0; i < _perFrame; i++)
            {
                if (values[i] >= limit)
                {
                    slice[i] = 1;
                }
            }
        }
    }
}
