using Cl2.Dicom;
using Cl2.Inference.Ingest;

namespace Cl2.Inference.Tests.Listener;

/// <summary>The listener parses a received data set only up to the last indexed attribute; that must index exactly what
/// a full read of the same bytes indexes, in every encoding, and must not read the pixel data.</summary>
public sealed class IndexedAttributesTests
{
    [Theory]
    [InlineData("test_files/CT_small.dcm")]
    [InlineData("test_files/MR_small_implicit.dcm")]
    [InlineData("test_files/MR_small_bigendian.dcm")]
    [InlineData("test_files/image_dfl.dcm")]
    [InlineData("test_files/JPEG2000.dcm")]
    [InlineData("test_files/SC_rgb_rle.dcm")]
    [InlineData("test_files/rtplan.dcm")]
    public void reading_up_to_the_last_indexed_attribute_indexes_what_a_full_read_indexes(string file)
    {
        var bytes = File.ReadAllBytes(DicomCorpus.PathOf(file));

        var partial = DicomFile.Open(new MemoryStream(bytes, writable: false), IndexedAttributes.ReaderOptions).Dataset;
        var full = DicomFile.Open(new MemoryStream(bytes, writable: false)).Dataset;

        Assert.Equal(IndexedAttributes.Extract(full), IndexedAttributes.Extract(partial));
        Assert.Contains("SOPInstanceUID", IndexedAttributes.Extract(partial).Keys);
        Assert.False(partial.Contains(DicomTags.PixelData), "the partial read went on to the pixel data");
        Assert.True(full.Count > partial.Count, "the partial read read everything, so it stopped nowhere");
    }
}
