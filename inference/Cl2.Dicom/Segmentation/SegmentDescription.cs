namespace Cl2.Dicom.Segmentation;

/// <summary>One segment of a segmentation: its number (1, 2, 3… in order), a human-readable label, and what it is.</summary>
public sealed record SegmentDescription(int Number, string Label, SegmentedProperty Property);

/// <summary>
/// A segment and its voxels on the source grid: one byte per voxel, 0 outside and 1 inside, in (slice, row, column) order,
/// slices sorted by position along the slice normal (row direction × column direction) as
/// <see cref="Imaging.SeriesVolume.Assemble"/> sorts them. Any non-zero byte counts as inside.
/// </summary>
public sealed record SegmentMask(SegmentDescription Segment, byte[] Voxels);
