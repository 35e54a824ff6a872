namespace Cl2.Dicom;

/// <summary>A data element (PS3.5 §7.1): a tag, its VR, and a value, a sequence of items, or encapsulated fragments.</summary>
public abstract class DicomElement(DicomTag tag, DicomVR vr)
{
    public DicomTag Tag { get; } = tag;

    public DicomVR VR { get; } = vr;

    public override string ToString() => $"{Tag} {VR}";
}

/// <summary>An element with a value held as bytes (text in its encoded form, binary values little endian).</summary>
public sealed class DicomValueElement(DicomTag tag, DicomVR vr, DicomBuffer buffer) : DicomElement(tag, vr)
{
    public DicomBuffer Buffer { get; } = buffer;

    public long Length => Buffer.Length;
}

/// <summary>A sequence of items (PS3.5 §7.5), each item a dataset.</summary>
public sealed class DicomSequence : DicomElement
{
    private readonly List<DicomDataset> _items = [];

    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset>? items = null)
        : base(tag, DicomVR.SQ)
    {
        foreach (var item in items ?? [])
        {
            Add(item);
        }
    }

    public IReadOnlyList<DicomDataset> Items => _items;

    /// <summary>The dataset the sequence belongs to: items inherit its Specific Character Set.</summary>
    internal DicomDataset? Owner { get; set; }

    public void Add(DicomDataset item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Parent = this;
        _items.Add(item);
    }
}

/// <summary>
/// Encapsulated pixel data (PS3.5 §A.4): the Basic Offset Table, optional Extended Offset Table (7FE0,0001/0002) and
/// the fragments. <see cref="GetFrameFragments"/> groups fragments per frame for a codec.
/// </summary>
public sealed class DicomFragmentSequence(DicomTag tag, DicomVR vr, DicomBuffer basicOffsetTable, IReadOnlyList<DicomBuffer> fragments)
    : DicomElement(tag, vr)
{
    public DicomBuffer BasicOffsetTable { get; } = basicOffsetTable;

    public IReadOnlyList<DicomBuffer> Fragments { get; } = fragments;

    /// <summary>
    /// The fragments that make up each frame. The offsets come from the Extended Offset Table when the dataset has one,
    /// else from the Basic Offset Table; without either, one frame takes all fragments, and as many fragments as frames
    /// give one each; otherwise a frame starts at each fragment that begins with a JPEG/JPEG-LS SOI or a JPEG 2000 SOC marker.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<DicomBuffer>> GetFrameFragments(int numberOfFrames, IReadOnlyList<ulong>? extendedOffsetTable = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numberOfFrames);
        var offsets = extendedOffsetTable is { Count: > 0 } ? extendedOffsetTable : ReadBasicOffsets();
        if (offsets.Count == numberOfFrames)
        {
            return ByOffsets(offsets);
        }
        if (numberOfFrames == 1)
        {
            return [Fragments];
        }
        if (Fragments.Count == numberOfFrames)
        {
            return Fragments.Select(f => (IReadOnlyList<DicomBuffer>)[f]).ToArray();
        }
        var frames = new List<List<DicomBuffer>>();
        Span<byte> head = stackalloc byte[2];
        foreach (var fragment in Fragments)
        {
            var starts = false;
            if (fragment.Length >= 2)
            {
                fragment.Read(0, head);
                starts = head[0] == 0xFF && head[1] is 0xD8 or 0x4F;
            }
            if (starts || frames.Count == 0)
            {
                frames.Add([]);
            }
            frames[^1].Add(fragment);
        }
        return frames.Count == numberOfFrames
            ? frames
            : throw new DicomFormatException(0, Tag, $"cannot tell which of {Fragments.Count} fragments belong to which of {numberOfFrames} frames");
    }

    private List<ulong> ReadBasicOffsets()
    {
        var bytes = BasicOffsetTable.GetBytes().Span;
        var offsets = new List<ulong>(bytes.Length / 4);
        for (var i = 0; i + 4 <= bytes.Length; i += 4)
        {
            offsets.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[i..]));
        }
        return offsets;
    }

    private List<IReadOnlyList<DicomBuffer>> ByOffsets(IReadOnlyList<ulong> offsets)
    {
        // Offsets count from the first byte of the first fragment's item tag; each item adds 8 bytes of header.
        var starts = new List<ulong>(Fragments.Count);
        ulong position = 0;
        foreach (var fragment in Fragments)
        {
            starts.Add(position);
            position += 8 + (ulong)fragment.Length;
        }
        var frames = new List<IReadOnlyList<DicomBuffer>>(offsets.Count);
        for (var frame = 0; frame < offsets.Count; frame++)
        {
            var end = frame + 1 < offsets.Count ? offsets[frame + 1] : ulong.MaxValue;
            var members = new List<DicomBuffer>();
            for (var i = 0; i < Fragments.Count; i++)
            {
                if (starts[i] >= offsets[frame] && starts[i] < end)
                {
                    members.Add(Fragments[i]);
                }
            }
            if (members.Count == 0)
            {
                throw new DicomFormatException(0, Tag, $"offset table entry {frame} ({offsets[frame]}) does not start a fragment");
            }
            frames.Add(members);
        }
        return frames;
    }
}
