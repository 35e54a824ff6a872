namespace Cl2.Dicom;

/// <summary>The limits a reader enforces on untrusted input; a value beyond a limit is a <see cref="DicomFormatException"/>.</summary>
public sealed record DicomReaderOptions
{
    public static readonly DicomReaderOptions Default = new();

    /// <summary>Values at least this long stay in the file and are read on demand (only when reading from a path).</summary>
    public long LazyValueThreshold { get; init; } = 64 * 1024;

    /// <summary>
    /// Reading stops before the first top-level element whose tag is at least this one (elements come in ascending tag
    /// order, PS3.5 §7.1): a reader that needs only the leading attributes (an index) skips the rest, pixel data included,
    /// and is not told whether the rest is well formed. Null reads everything.
    /// </summary>
    public DicomTag? StopBeforeTag { get; init; }

    /// <summary>The largest value read into memory at once (lazy values are exempt: they are read by range).</summary>
    public long MaxInMemoryValueLength { get; init; } = 1L << 30;

    /// <summary>
    /// The most data elements and sequence items a file may have, its meta group and nested ones included (fragments count against
    /// <see cref="MaxFragments"/>). An empty element is 8 bytes of input but an object in memory, so a length limit alone
    /// lets a few megabytes cost gigabytes. Large real objects (an RT structure set with thousands of contours, a multi-frame
    /// with per-frame functional groups) have some hundred thousand.
    /// </summary>
    public int MaxElements { get; init; } = 1_000_000;

    /// <summary>Sequences nested deeper than this are refused (real objects nest a handful of levels).</summary>
    public int MaxSequenceDepth { get; init; } = 64;

    /// <summary>The most fragments one encapsulated pixel data element may have.</summary>
    public int MaxFragments { get; init; } = 1_000_000;

    /// <summary>The most bytes a deflated dataset may inflate to (a guard against deflate bombs).</summary>
    public long MaxInflatedLength { get; init; } = 1L << 30;
}
