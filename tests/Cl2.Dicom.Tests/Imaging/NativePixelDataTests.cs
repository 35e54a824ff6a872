using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

public sealed class NativePixelDataTests
{
    private static PixelFrame Frame(string file, int index = 0) => Corpus.PixelDataOf(Corpus.File(file)).DecodeFrame(index);

    /// <summary>The corpus holds the same images in both byte orders (made with DCMTK's dcmconv).</summary>
    [Theory]
    [InlineData("MR_small_bigendian.dcm", "MR_small.dcm", 0)] // 16-bit signed
    [InlineData("rtdose_expb.dcm", "rtdose.dcm", 14)] // 32-bit in OW: words swapped back into place
    [InlineData("liver_expb_1frame.dcm", "liver_1frame.dcm", 0)] // 1-bit
    public void a_big_endian_file_decodes_to_the_same_samples_as_its_little_endian_twin(string bigEndian, string littleEndian, int frame)
    {
        var expected = Frame(littleEndian, frame);
        var actual = Frame(bigEndian, frame);

        Assert.Equal(expected.Format, actual.Format);
        Assert.Equal(expected.StoredValues(), actual.StoredValues());
        Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
    }

    [Fact]
    public void signed_stored_values_read_as_the_typed_span_of_the_same_bytes()
    {
        var frame = Frame("CT_small.dcm");

        Assert.True(frame.Format.IsSigned);
        Assert.Equal(16, frame.Format.BitsStored);
        Assert.Equal(frame.Samples<short>().ToArray().Select(v => (long)v), frame.StoredValues());
    }

    [Fact]
    public void every_frame_of_a_multi_frame_file_is_its_own_slice_of_pixel_data()
    {
        var pixelData = Corpus.PixelDataOf(Corpus.File("rtdose.dcm"));
        var whole = ((DicomValueElement)DicomFile.Open(Corpus.File("rtdose.dcm")).Dataset.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray();
        var length = (int)pixelData.Format.FrameLength;

        Assert.Equal(15, pixelData.NumberOfFrames);
        Assert.Equal(whole.AsSpan(7 * length, length).ToArray(), pixelData.DecodeFrame(7).Data.ToArray());
        Assert.Contains("frame 15 does not exist", Assert.Throws<PixelDataException>(() => pixelData.DecodeFrame(15)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void contradictory_image_pixel_attributes_are_refused_with_the_attribute_named()
    {
        var format = new ImagePixelModule(2, 2, 1, 16, 17, 16, 0, 0, PhotometricInterpretation.Monochrome2);
        Assert.Contains("Bits Stored 17", Assert.Throws<PixelDataException>(() => new NativeCodec().Decode(new byte[8], format)).Message, StringComparison.Ordinal);

        var tooShort = format with { BitsStored = 12, HighBit = 11 };
        Assert.Contains("holds 6 bytes, 8 expected", Assert.Throws<PixelDataException>(() => new NativeCodec().Decode(new byte[6], tooShort)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_declared_frame_larger_than_an_array_is_refused_before_anything_is_allocated()
    {
        var hostile = new ImagePixelModule(65535, 65535, 3, 32, 32, 31, 0, 0, PhotometricInterpretation.Rgb);

        Assert.Contains("exceeds", Assert.Throws<PixelDataException>(() => new RleCodec().Decode(new byte[64], hostile)).Message, StringComparison.Ordinal);
        Assert.Contains("exceeds", Assert.Throws<PixelDataException>(() => new Jpeg2000Codec().Decode(new byte[64], hostile)).Message, StringComparison.Ordinal);
    }
}
