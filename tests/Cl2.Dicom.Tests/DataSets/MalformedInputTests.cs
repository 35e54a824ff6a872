using System.Buffers.Binary;
using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class MalformedInputTests
{
    [Theory]
    [InlineData("test_files/CT_small.dcm")]
    [InlineData("test_files/rtplan.dcm")]
    [InlineData("test_files/image_dfl.dcm")]
    [InlineData("test_files/MR_small_bigendian.dcm")]
    [InlineData("test_files/JPEG2000.dcm")]
    [InlineData("test_files/UN_sequence.dcm")]
    public void a_file_truncated_anywhere_reads_or_fails_with_a_typed_error_never_otherwise(string relative)
    {
        var bytes = File.ReadAllBytes(Corpus.DataFile(relative));
        var step = Math.Max(1, bytes.Length / 1500);
        var rejected = 0;
        for (var cut = 0; cut < bytes.Length; cut += step)
        {
            var error = Record.Exception(() => DicomFile.Open(new MemoryStream(bytes, 0, cut)));
            if (error is null)
            {
                continue; // cut at an element boundary: a shorter but well-formed dataset
            }
            Assert.True(error is DicomFormatException, $"cut at {cut}: {error}");
            rejected++;
        }
        Assert.True(rejected > 0);
    }

    [Fact]
    public void reading_a_truncated_file_names_the_offset_and_tag()
    {
        var bytes = File.ReadAllBytes(Corpus.DataFile("test_files/CT_small.dcm"));

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes, 0, bytes.Length - 1000)));

        Assert.Equal(DicomTags.PixelData, error.Tag);
        Assert.InRange(error.Offset, 128, bytes.Length);
        Assert.Contains($"byte offset {error.Offset}", error.Message, StringComparison.Ordinal);
        Assert.Contains("(7FE0,0010)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_declared_length_of_four_gigabytes_is_refused_before_anything_is_allocated()
    {
        var bytes = Explicit(Element(0x0010, 0x0010, "PN"u8, 8), "Doe^John"u8.ToArray(), Header(0x0010, 0x1010, "UT"u8, 0xFFFFFFF0));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes)));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(new DicomTag(0x0010, 0x1010), error.Tag);
        Assert.Contains("4294967280", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_value_longer_than_the_in_memory_limit_is_refused_when_it_cannot_stay_in_the_file()
    {
        var value = new byte[4096];
        var bytes = Explicit(Header(0x0009, 0x1010, "OB"u8, (uint)value.Length), value);
        var options = new DicomReaderOptions { MaxInMemoryValueLength = 1024 };

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes), options));

        Assert.Contains(nameof(DicomReaderOptions.MaxInMemoryValueLength), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void sequences_nested_beyond_the_limit_are_refused_without_exhausting_the_stack()
    {
        var nesting = new MemoryStream();
        const int depth = 100_000;
        for (var i = 0; i < depth; i++)
        {
            nesting.Write(Header(0x0008, 0x1140, "SQ"u8, 0xFFFFFFFF));
            nesting.Write(Item(0xE000, 0xFFFFFFFF));
        }
        var bytes = Explicit(nesting.ToArray());

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes)));

        Assert.Contains(nameof(DicomReaderOptions.MaxSequenceDepth), error.Message, StringComparison.Ordinal);
        Assert.Equal(DicomTags.ReferencedImageSequence, error.Tag);
    }

    [Fact]
    public void a_million_empty_sequence_items_are_refused_at_the_default_element_limit()
    {
        // 8 bytes of input per item, an object each in memory: the default limit stops them before they are allocated.
        var items = new MemoryStream();
        items.Write(Header(0x0008, 0x1140, "SQ"u8, 0xFFFFFFFF));
        var empty = Item(0xE000, 0);
        for (var i = 0; i <= DicomReaderOptions.Default.MaxElements; i++)
        {
            items.Write(empty);
        }
        var bytes = Explicit(items.ToArray());

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes)));

        Assert.Contains(nameof(DicomReaderOptions.MaxElements), error.Message, StringComparison.Ordinal);
        Assert.Equal(DicomTags.ReferencedImageSequence, error.Tag);
    }

    [Fact]
    public void a_file_with_more_elements_than_the_limit_is_refused_naming_the_first_one_over_it()
    {
        // The meta group's Transfer Syntax UID is the first of the file's elements, so the tenth data element is one too many.
        var elements = Enumerable.Range(0, 10).Select(i => Element(0x0009, (ushort)(0x1000 + i), "LO"u8, 0)).ToArray();
        var options = new DicomReaderOptions { MaxElements = 10 };

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(Explicit(elements)), options));

        Assert.Equal(new DicomTag(0x0009, 0x1009), error.Tag);
        Assert.Contains("more than 10 data elements and sequence items", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_file_at_the_element_limit_is_read()
    {
        var elements = Enumerable.Range(0, 9).Select(i => Element(0x0009, (ushort)(0x1000 + i), "LO"u8, 0)).ToArray();
        var options = new DicomReaderOptions { MaxElements = 10 };

        var file = DicomFile.Open(new MemoryStream(Explicit(elements)), options);

        Assert.True(file.Dataset.Contains(new DicomTag(0x0009, 0x1008)));
    }

    [Fact]
    public void an_item_where_an_element_belongs_is_a_typed_error()
    {
        var bytes = Explicit(Item(0xE000, 4), new byte[4]);

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes)));

        Assert.Equal(DicomTag.Item, error.Tag);
    }

    [Fact]
    public void a_deflate_bomb_is_stopped_at_the_inflation_limit()
    {
        using var deflated = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(deflated, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                deflate.Write(zeros);
            }
        }
        var bytes = Explicit(MetaWith(DicomTransferSyntax.DeflatedExplicitVRLittleEndian), deflated.ToArray());
        var options = new DicomReaderOptions { MaxInflatedLength = 1 << 20 };

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.Open(new MemoryStream(bytes), options));

        Assert.Contains(nameof(DicomReaderOptions.MaxInflatedLength), error.Message, StringComparison.Ordinal);
    }

    private static byte[] Explicit(params ReadOnlySpan<byte[]> parts)
    {
        var stream = new MemoryStream();
        stream.Write(new byte[128]);
        stream.Write("DICM"u8);
        var first = parts.Length > 0 && parts[0].Length > 2 && parts[0][0] == 0x02 && parts[0][1] == 0x00;
        if (!first)
        {
            stream.Write(MetaWith(DicomTransferSyntax.ExplicitVRLittleEndian));
        }
        foreach (var part in parts)
        {
            stream.Write(part);
        }
        return stream.ToArray();
    }

    private static byte[] MetaWith(DicomTransferSyntax syntax)
    {
        var uid = System.Text.Encoding.ASCII.GetBytes(syntax.Uid.Length % 2 == 1 ? syntax.Uid + "\0" : syntax.Uid);
        return [.. Header(0x0002, 0x0010, "UI"u8, (uint)uid.Length), .. uid];
    }

    private static byte[] Element(ushort group, ushort element, ReadOnlySpan<byte> vr, uint length) => Header(group, element, vr, length);

    private static byte[] Header(ushort group, ushort element, ReadOnlySpan<byte> vr, uint length)
    {
        var isLong = vr.SequenceEqual("OB"u8) || vr.SequenceEqual("UT"u8) || vr.SequenceEqual("SQ"u8) || vr.SequenceEqual("UN"u8);
        var header = new byte[isLong ? 12 : 8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, group);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), element);
        vr.CopyTo(header.AsSpan(4));
        if (isLong)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), length);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), (ushort)length);
        }
        return header;
    }

    private static byte[] Item(ushort element, uint length)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), element);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), length);
        return header;
    }
}
