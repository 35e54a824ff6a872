using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Cl2.Dicom;

/// <summary>
/// Writes Part 10 files in the uncompressed transfer syntaxes, or in the encapsulated syntax the pixel data already has.
/// Sequences and items are written with undefined length, which every reader must accept (PS3.5 §7.5.1).
/// </summary>
public static class DicomWriter
{
    public static void WriteFile(Stream stream, DicomFile file, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(syntax);
        var pixelData = file.Dataset.Find(DicomTags.PixelData);
        if (pixelData is DicomFragmentSequence && !syntax.IsEncapsulated)
        {
            throw new InvalidOperationException($"the pixel data is encapsulated ({file.TransferSyntax.Name}); converting it to {syntax.Name} needs a codec");
        }
        if (pixelData is DicomValueElement && syntax.IsEncapsulated)
        {
            throw new InvalidOperationException($"the pixel data is native; writing {syntax.Name} needs a codec");
        }
        DicomFileMetaInformation.Write(stream, DicomFileMetaInformation.For(file, syntax));
        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            WriteDataset(deflate, file.Dataset, syntax);
        }
        else
        {
            WriteDataset(stream, file.Dataset, syntax);
        }
    }

    /// <summary>Writes a dataset without preamble or meta group (as sent over DIMSE).</summary>
    public static void WriteDataset(Stream stream, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        foreach (var element in dataset)
        {
            if (element.Tag.IsGroupLength && element.Tag.Group != 0x0000)
            {
                continue; // group lengths are retired outside group 0002 (PS3.5 §7.2) and would be wrong after any change
            }
            WriteElement(stream, element, syntax);
        }
    }

    internal static void WriteElement(Stream stream, DicomElement element, DicomTransferSyntax syntax)
    {
        switch (element)
        {
            case DicomSequence sequence:
                WriteHeader(stream, element.Tag, DicomVR.SQ, 0xFFFFFFFF, syntax);
                foreach (var item in sequence.Items)
                {
                    WriteTag(stream, DicomTag.Item, 0xFFFFFFFF, syntax.IsBigEndian);
                    WriteDataset(stream, item, syntax);
                    WriteTag(stream, DicomTag.ItemDelimitationItem, 0, syntax.IsBigEndian);
                }
                WriteTag(stream, DicomTag.SequenceDelimitationItem, 0, syntax.IsBigEndian);
                break;
            case DicomFragmentSequence fragments:
                WriteHeader(stream, element.Tag, element.VR, 0xFFFFFFFF, syntax);
                WriteTag(stream, DicomTag.Item, checked((uint)fragments.BasicOffsetTable.Length), syntax.IsBigEndian);
                fragments.BasicOffsetTable.CopyTo(stream);
                foreach (var fragment in fragments.Fragments)
                {
                    WriteTag(stream, DicomTag.Item, checked((uint)fragment.Length), syntax.IsBigEndian);
                    fragment.CopyTo(stream);
                }
                WriteTag(stream, DicomTag.SequenceDelimitationItem, 0, syntax.IsBigEndian);
                break;
            case DicomValueElement value:
                var vr = value.VR;
                if (syntax.IsExplicitVR && !vr.HasLongLength && value.Length > ushort.MaxValue)
                {
                    vr = DicomVR.UN; // too long for a 16-bit length: UN keeps the bytes (PS3.5 §6.2.2 note)
                }
                // Values are of even length (PS3.5 §7.1.1); an odd one read from a non-conformant file gets its padding byte.
                var odd = value.Length % 2 == 1;
                WriteHeader(stream, element.Tag, vr, checked((uint)(value.Length + (odd ? 1 : 0))), syntax);
                if (syntax.IsBigEndian && value.VR.UnitSize > 1)
                {
                    var bytes = value.Buffer.GetBytes().ToArray();
                    DicomBuffer.SwapInPlace(bytes, value.VR.UnitSize);
                    stream.Write(bytes);
                }
                else
                {
                    value.Buffer.CopyTo(stream);
                }
                if (odd)
                {
                    stream.WriteByte(value.VR.PaddingByte);
                }
                break;
        }
    }

    private static void WriteHeader(Stream stream, DicomTag tag, DicomVR vr, uint length, DicomTransferSyntax syntax)
    {
        var big = syntax.IsBigEndian;
        Span<byte> header = stackalloc byte[12];
        Write16(header, tag.Group, big);
        Write16(header[2..], tag.Element, big);
        if (!syntax.IsExplicitVR)
        {
            Write32(header[4..], length, big);
            stream.Write(header[..8]);
            return;
        }
        Encoding.ASCII.GetBytes(vr.Code, header[4..6]);
        if (vr.HasLongLength)
        {
            header[6] = 0;
            header[7] = 0;
            Write32(header[8..], length, big);
            stream.Write(header[..12]);
        }
        else
        {
            Write16(header[6..], (ushort)length, big);
            stream.Write(header[..8]);
        }
    }

    private static void WriteTag(Stream stream, DicomTag tag, uint length, bool big)
    {
        Span<byte> header = stackalloc byte[8];
        Write16(header, tag.Group, big);
        Write16(header[2..], tag.Element, big);
        Write32(header[4..], length, big);
        stream.Write(header);
    }

    private static void Write16(Span<byte> span, ushort value, bool big)
    {
        if (big)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, value);
        }
    }

    private static void Write32(Span<byte> span, uint value, bool big)
    {
        if (big)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }
    }
}
