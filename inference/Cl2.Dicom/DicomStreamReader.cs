using System.Buffers.Binary;
using System.IO.Compression;

namespace Cl2.Dicom;

/// <summary>
/// Parses Part 10 files and bare datasets (PS3.5 §7, PS3.10 §7). Every length is checked against the bytes left before
/// anything is allocated, so malformed input fails with a <see cref="DicomFormatException"/> that names offset and tag.
/// </summary>
internal sealed class DicomStreamReader(Stream stream, string? path, DicomReaderOptions options)
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private static readonly DicomTag PixelData = DicomTags.PixelData;
    private static readonly ushort MetaGroup = DicomTags.FileMetaInformationGroupLength.Group;

    private Stream _source = stream;
    private string? _lazyPath = path;
    private long _position;
    private long _length = stream.Length;
    private long _baseOffset; // where an inflated stream begins in the file, for messages
    private DicomTag? _currentTag;
    private long _elements; // data elements and sequence items read so far, against MaxElements

    public DicomFile ReadFile()
    {
        var meta = new DicomDataset();
        Span<byte> preamble = stackalloc byte[DicomFileMetaInformation.MetaGroupOffset];
        var hasPreamble = _length >= preamble.Length && ReadAt(0, preamble)
            && preamble[DicomFileMetaInformation.PreambleLength..].SequenceEqual(DicomFileMetaInformation.Prefix);
        DicomTransferSyntax? syntax = null;
        if (hasPreamble)
        {
            Seek(preamble.Length);
        }
        if (PeekGroup() == MetaGroup)
        {
            ReadMeta(meta);
            if (meta.TryGetString(DicomTags.TransferSyntaxUID, out var uid) && uid.Length > 0)
            {
                syntax = DicomTransferSyntax.Lookup(uid);
            }
        }
        syntax ??= Sniff();
        var dataset = new DicomDataset();
        if (syntax.IsDeflated)
        {
            Inflate();
        }
        ReadDataset(dataset, syntax, end: -1, depth: 0, inItem: false);
        return new DicomFile(meta, dataset, syntax);
    }

    /// <summary>Group 0002 of a file whose bytes end with the group (see <see cref="DicomFileMetaInformation.ReadAsync"/>).</summary>
    public DicomDataset ReadFileMetaInformation()
    {
        var meta = new DicomDataset();
        Seek(DicomFileMetaInformation.MetaGroupOffset);
        ReadMeta(meta);
        return meta;
    }

    private void ReadMeta(DicomDataset meta)
    {
        // Group 0002 is always explicit VR little endian (PS3.10 §7.1), with or without a group length.
        while (_position < _length && PeekGroup() == MetaGroup)
        {
            var element = ReadElement(meta, DicomTransferSyntax.ExplicitVRLittleEndian, end: -1, depth: 0, out _);
            if (element is not null)
            {
                meta.Add(element);
            }
        }
    }

    /// <summary>A dataset without a usable meta group: guess the encoding from its first element (PS3.5 Annex A.1 rules).</summary>
    private DicomTransferSyntax Sniff()
    {
        Span<byte> head = stackalloc byte[6];
        if (!ReadAt(_position, head))
        {
            throw Error("the file is too short to hold a DICOM dataset");
        }
        var explicitVR = DicomVR.TryParse(head[4..6], out _);
        var little = BinaryPrimitives.ReadUInt16LittleEndian(head);
        var big = BinaryPrimitives.ReadUInt16BigEndian(head);
        if (explicitVR)
        {
            return big < little ? DicomTransferSyntax.ExplicitVRBigEndian : DicomTransferSyntax.ExplicitVRLittleEndian;
        }
        if (little is not (0x0000 or 0x0002 or 0x0004 or 0x0008) && big is 0x0008)
        {
            throw Error("the file looks like an implicit VR big endian dataset, which DICOM does not define");
        }
        return DicomTransferSyntax.ImplicitVRLittleEndian;
    }

    private void Inflate()
    {
        var inflated = new MemoryStream();
        var start = _position;
        try
        {
            _source.Position = _position;
            using var deflate = new DeflateStream(_source, CompressionMode.Decompress, leaveOpen: true);
            var buffer = new byte[81920];
            int read;
            while ((read = deflate.Read(buffer)) > 0)
            {
                if (inflated.Length + read > options.MaxInflatedLength)
                {
                    throw Error($"the deflated dataset inflates beyond {options.MaxInflatedLength} bytes ({nameof(DicomReaderOptions.MaxInflatedLength)})");
                }
                inflated.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DicomFormatException(start, null, "the deflated dataset is not valid deflate data", e);
        }
        inflated.Position = 0;
        _source = inflated;
        _lazyPath = null;
        _baseOffset = start;
        _position = 0;
        _length = inflated.Length;
    }

    private void ReadDataset(DicomDataset dataset, DicomTransferSyntax syntax, long end, int depth, bool inItem)
    {
        while (true)
        {
            if (end >= 0 && _position >= end)
            {
                if (_position > end)
                {
                    throw Error($"an element runs {_position - end} bytes past the end of its item");
                }
                return;
            }
            if (_position >= _length)
            {
                if (inItem && end < 0)
                {
                    throw Error("the file ends inside an item of undefined length");
                }
                return;
            }
            if (depth == 0 && options.StopBeforeTag is { } stop && PeekTag(syntax.IsBigEndian) is { } next && next >= stop)
            {
                return;
            }
            var element = ReadElement(dataset, syntax, end, depth, out var delimiter);
            if (delimiter == DicomTag.ItemDelimitationItem)
            {
                if (inItem && end < 0)
                {
                    return;
                }
                continue; // a stray delimiter in a dataset of defined length carries nothing; DCMTK skips it too
            }
            if (element is not null)
            {
                dataset.Add(element);
            }
        }
    }

    private DicomElement? ReadElement(DicomDataset dataset, DicomTransferSyntax syntax, long end, int depth, out DicomTag? delimiter)
    {
        delimiter = null;
        var start = _position;
        _currentTag = null;
        Span<byte> header = stackalloc byte[8];
        Read(header[..4], "an element tag");
        var big = syntax.IsBigEndian;
        var tag = new DicomTag(U16(header, big), U16(header[2..], big));
        _currentTag = tag;
        if (tag.Group == 0xFFFE)
        {
            Read(header[4..8], "a delimiter's length");
            if (tag == DicomTag.ItemDelimitationItem || tag == DicomTag.SequenceDelimitationItem)
            {
                delimiter = DicomTag.ItemDelimitationItem;
                return null;
            }
            throw new DicomFormatException(start, tag, "an item tag where a data element was expected");
        }
        Count(start, tag);
        DicomVR vr;
        uint valueLength;
        var explicitVR = syntax.IsExplicitVR && tag.Group != 0xFFFE;
        if (explicitVR)
        {
            Read(header[4..6], "a VR");
            if (DicomVR.TryParse(header[4..6], out vr))
            {
                if (vr.HasLongLength)
                {
                    Span<byte> reservedAndLength = stackalloc byte[6];
                    Read(reservedAndLength, "a 32-bit length");
                    valueLength = U32(reservedAndLength[2..], big);
                }
                else
                {
                    Read(header[6..8], "a 16-bit length");
                    valueLength = U16(header[6..], big);
                }
            }
            else if (header[4] == 0 && header[5] == 0 && tag.Group != MetaGroup)
            {
                // Some writers switch to implicit VR mid-file; the two "VR" bytes are then the low half of a 32-bit length.
                Read(header[6..8], "a 32-bit length");
                valueLength = U32(header[4..], big);
                vr = ImplicitVR(dataset, tag);
            }
            else
            {
                // An unknown VR: read as UN with a 16-bit length (DCMTK does the same for VRs it cannot parse).
                Read(header[6..8], "a 16-bit length");
                valueLength = U16(header[6..], big);
                vr = DicomVR.UN;
            }
        }
        else
        {
            Read(header[4..8], "a 32-bit length");
            valueLength = U32(header[4..], big);
            vr = ImplicitVR(dataset, tag);
        }

        if (valueLength == UndefinedLength)
        {
            if (tag == PixelData || (vr != DicomVR.SQ && vr != DicomVR.UN && tag.Group == 0x7FE0))
            {
                return ReadFragments(tag, vr, syntax, start);
            }
            // UN of undefined length is a sequence encoded in implicit VR little endian (PS3.5 §6.2.2, CP-246).
            var itemSyntax = vr == DicomVR.UN ? DicomTransferSyntax.ImplicitVRLittleEndian : syntax;
            return ReadSequence(dataset, tag, itemSyntax, UndefinedLength, depth, start);
        }
        if (vr == DicomVR.SQ)
        {
            return ReadSequence(dataset, tag, syntax, valueLength, depth, start);
        }
        CheckLength(valueLength, end, start, tag);
        var buffer = ReadValue(valueLength, big ? vr.UnitSize : 1, tag);
        return new DicomValueElement(tag, vr, buffer);
    }

    private DicomVR ImplicitVR(DicomDataset dataset, DicomTag tag)
    {
        var entry = tag.IsPrivate ? null : DicomDictionary.Find(tag);
        if (entry is null)
        {
            return DicomDictionary.ImplicitVR(tag, dataset.GetPrivateCreator(tag));
        }
        var vrs = entry.ValueRepresentations;
        if (vrs.Count > 1 && vrs[0] == DicomVR.US && vrs[1] == DicomVR.SS)
        {
            // "US or SS" follows Pixel Representation (0028,0103), as DCMTK decides it.
            return PixelRepresentationOf(dataset) == 1 ? DicomVR.SS : DicomVR.US;
        }
        if (vrs.Count > 1 && vrs[0] == DicomVR.OB)
        {
            return DicomVR.OW;
        }
        return entry.DefaultVR;
    }

    private static int PixelRepresentationOf(DicomDataset dataset)
    {
        for (DicomDataset? current = dataset; current is not null; current = current.Parent?.Owner)
        {
            if (current.TryGetValue<int>(DicomTags.PixelRepresentation, out var value))
            {
                return value;
            }
        }
        return 0;
    }

    private DicomSequence ReadSequence(DicomDataset owner, DicomTag tag, DicomTransferSyntax syntax, uint sequenceLength, int depth, long start)
    {
        if (depth + 1 > options.MaxSequenceDepth)
        {
            throw new DicomFormatException(start, tag, $"sequences nest deeper than {options.MaxSequenceDepth} levels ({nameof(DicomReaderOptions.MaxSequenceDepth)})");
        }
        long end = -1;
        if (sequenceLength != UndefinedLength)
        {
            // A sequence or item that claims more bytes than the file has is read up to the end of the file, as DCMTK
            // does; whatever is really missing then fails as a truncated element.
            end = Math.Min(_position + sequenceLength, _length);
        }
        var sequence = new DicomSequence(tag) { Owner = owner };
        Span<byte> header = stackalloc byte[8];
        while (end < 0 || _position < end)
        {
            var itemStart = _position;
            _currentTag = tag;
            Read(header, "an item header");
            var itemTag = new DicomTag(U16(header, syntax.IsBigEndian), U16(header[2..], syntax.IsBigEndian));
            var itemLength = U32(header[4..], syntax.IsBigEndian);
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                if (end >= 0)
                {
                    continue; // tolerated in a sequence of defined length
                }
                return sequence;
            }
            if (itemTag != DicomTag.Item)
            {
                throw new DicomFormatException(itemStart, tag, $"expected an item (FFFE,E000) in the sequence but found {itemTag}");
            }
            Count(itemStart, tag);
            var item = new DicomDataset();
            sequence.Add(item);
            if (itemLength == UndefinedLength)
            {
                ReadDataset(item, syntax, -1, depth + 1, inItem: true);
            }
            else
            {
                var itemEnd = Math.Min(_position + itemLength, _length);
                if (end >= 0 && itemEnd > end)
                {
                    throw new DicomFormatException(_baseOffset + itemStart, tag, $"an item of {itemLength} bytes runs {itemEnd - end} bytes past the end of its sequence");
                }
                ReadDataset(item, syntax, itemEnd, depth + 1, inItem: true);
            }
        }
        if (_position > end)
        {
            throw new DicomFormatException(_position, tag, "an item runs past the end of its sequence");
        }
        return sequence;
    }

    /// <summary>Counts one more data element or item before it is allocated: millions of empty elements cost little input
    /// but an object each in memory.</summary>
    private void Count(long start, DicomTag tag)
    {
        if (++_elements > options.MaxElements)
        {
            throw new DicomFormatException(_baseOffset + start, tag,
                $"more than {options.MaxElements} data elements and sequence items ({nameof(DicomReaderOptions.MaxElements)})");
        }
    }

    private DicomFragmentSequence ReadFragments(DicomTag tag, DicomVR vr, DicomTransferSyntax syntax, long start)
    {
        var fragments = new List<DicomBuffer>();
        DicomBuffer? offsetTable = null;
        Span<byte> header = stackalloc byte[8];
        while (true)
        {
            var itemStart = _position;
            _currentTag = tag;
            Read(header, "a fragment header");
            var itemTag = new DicomTag(U16(header, syntax.IsBigEndian), U16(header[2..], syntax.IsBigEndian));
            var itemLength = U32(header[4..], syntax.IsBigEndian);
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                break;
            }
            if (itemTag != DicomTag.Item || itemLength == UndefinedLength)
            {
                throw new DicomFormatException(itemStart, tag, $"expected a fragment item of defined length but found {itemTag} with length {itemLength:X8}");
            }
            CheckLength(itemLength, -1, itemStart, tag);
            var value = ReadValue(itemLength, 1, tag);
            if (offsetTable is null)
            {
                offsetTable = value;
                continue;
            }
            if (fragments.Count >= options.MaxFragments)
            {
                throw new DicomFormatException(itemStart, tag, $"more than {options.MaxFragments} fragments ({nameof(DicomReaderOptions.MaxFragments)})");
            }
            fragments.Add(value);
        }
        return new DicomFragmentSequence(tag, vr == DicomVR.UN ? DicomVR.OB : vr, offsetTable ?? DicomBuffer.Empty, fragments);
    }

    private DicomBuffer ReadValue(uint valueLength, int swapUnit, DicomTag tag)
    {
        if (valueLength == 0)
        {
            return DicomBuffer.Empty;
        }
        if (_lazyPath is not null && valueLength >= options.LazyValueThreshold)
        {
            var buffer = new FileBuffer(_lazyPath, _position, valueLength, swapUnit);
            Seek(_position + valueLength);
            return buffer;
        }
        if (valueLength > options.MaxInMemoryValueLength)
        {
            throw new DicomFormatException(_position, tag, $"a value of {valueLength} bytes exceeds {nameof(DicomReaderOptions.MaxInMemoryValueLength)} ({options.MaxInMemoryValueLength})");
        }
        var bytes = new byte[valueLength];
        Read(bytes, "a value");
        if (swapUnit > 1)
        {
            DicomBuffer.SwapInPlace(bytes, swapUnit);
        }
        return new MemoryBuffer(bytes);
    }

    private void CheckLength(uint valueLength, long end, long start, DicomTag tag)
    {
        var left = _length - _position;
        if (valueLength > left)
        {
            throw new DicomFormatException(_baseOffset + start, tag, $"the value length {valueLength} exceeds the {left} bytes left in the {(_baseOffset > 0 ? "inflated dataset" : "file")}");
        }
        if (end >= 0 && _position + valueLength > end)
        {
            throw new DicomFormatException(_baseOffset + start, tag, $"the value length {valueLength} runs {_position + valueLength - end} bytes past the end of its item or sequence");
        }
    }

    private ushort PeekGroup()
    {
        Span<byte> group = stackalloc byte[2];
        return ReadAt(_position, group) ? BinaryPrimitives.ReadUInt16LittleEndian(group) : (ushort)0xFFFF;
    }

    private DicomTag? PeekTag(bool bigEndian)
    {
        Span<byte> tag = stackalloc byte[4];
        return ReadAt(_position, tag) ? new DicomTag(U16(tag, bigEndian), U16(tag[2..], bigEndian)) : null;
    }

    private bool ReadAt(long at, Span<byte> destination)
    {
        if (at + destination.Length > _length)
        {
            return false;
        }
        _source.Position = at;
        _source.ReadExactly(destination);
        _source.Position = _position;
        return true;
    }

    private void Read(Span<byte> destination, string what)
    {
        if (_position + destination.Length > _length)
        {
            throw Error($"the file ends ({_length - _position} bytes left) where {what} of {destination.Length} bytes was expected");
        }
        _source.ReadExactly(destination);
        _position += destination.Length;
    }

    private void Seek(long to)
    {
        _source.Position = to;
        _position = to;
    }

    private DicomFormatException Error(string problem) => new(_baseOffset + _position, _currentTag, problem);

    private static ushort U16(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private static uint U32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
