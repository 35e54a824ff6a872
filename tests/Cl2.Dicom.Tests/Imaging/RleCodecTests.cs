using System.Buffers.Binary;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

public sealed class RleCodecTests
{
    private static readonly DicomTransferSyntax RleLossless = DicomTransferSyntax.Lookup(DicomUids.RLELossless.Value);

    /// <summary>Our encoder's output, written as a Part 10 file, must decompress in DCMTK to the pixels we started from.</summary>
    [Theory]
    [InlineData("CT_small.dcm")] // 16-bit signed
    [InlineData("rtdose.dcm")] // 32-bit, 15 frames
    [InlineData("SC_rgb_small_odd.dcm")] // RGB, odd width
    [InlineData("ExplVR_BigEnd.dcm")] // RGB by plane, big endian
    [InlineData("image_dfl.dcm")] // 8-bit, deflated
    public async Task dcmdrle_decompresses_our_rle_to_the_original_pixels(string file)
    {
        var original = DicomFile.Open(Corpus.File(file));
        var directory = Directory.CreateTempSubdirectory("cl2-rle-");
        try
        {
            var encoded = Path.Combine(directory.FullName, "rle.dcm");
            var decoded = Path.Combine(directory.FullName, "native.dcm");
            PixelDataTranscoding.Encode(original, new RleCodec(), RleLossless).Save(encoded);
            (await ProcessRunner.RunAsync("dcmdrle", [encoded, decoded], environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }))
                .EnsureSuccess("dcmdrle");

            var source = DicomPixelData.From(original);
            var reference = DicomPixelData.From(DicomFile.Open(decoded));
            var ours = DicomPixelData.From(DicomFile.Open(encoded));
            Assert.Equal(source.NumberOfFrames, reference.NumberOfFrames);
            for (var i = 0; i < source.NumberOfFrames; i++)
            {
                var expected = ByPixel(source.DecodeFrame(i));
                Assert.Equal(expected, reference.DecodeFrame(i).Data.ToArray());
                Assert.Equal(expected, ours.DecodeFrame(i).Data.ToArray());
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static byte[] ByPixel(PixelFrame frame) =>
        frame.Format.PlanarConfiguration == 1 ? ColorConversion.ToRgb(frame).Data.ToArray() : frame.Data.ToArray();

    [Theory]
    [InlineData(8, 1, 0, 1)]
    [InlineData(8, 1, 0, 300)]
    [InlineData(16, 1, 0, 129)]
    [InlineData(32, 1, 0, 17)]
    [InlineData(8, 3, 0, 130)]
    [InlineData(16, 3, 0, 7)]
    [InlineData(8, 3, 1, 255)]
    public void encoding_then_decoding_gives_back_every_sample(int bitsAllocated, int samplesPerPixel, int planarConfiguration, int columns)
    {
        var format = new ImagePixelModule(5, columns, samplesPerPixel, bitsAllocated, bitsAllocated, bitsAllocated - 1, 0, planarConfiguration,
            samplesPerPixel == 3 ? PhotometricInterpretation.Rgb : PhotometricInterpretation.Monochrome2);
        var data = new byte[format.FrameLength];
        var random = new Random(bitsAllocated * 1000 + columns);
        // Long runs, runs across row ends, literals longer than 128 bytes, and runs of exactly two.
        for (var i = 0; i < data.Length;)
        {
            var run = random.Next(1, 200);
            var value = (byte)random.Next(256);
            var literal = random.Next(2) == 0;
            for (var j = 0; j < run && i < data.Length; j++, i++)
            {
                data[i] = literal ? (byte)random.Next(256) : value;
            }
        }
        var frame = new PixelFrame(format, data);
        var codec = new RleCodec();

        var encoded = codec.Encode(frame);
        var decoded = codec.Decode(encoded, format);

        Assert.Equal(samplesPerPixel * bitsAllocated / 8, BinaryPrimitives.ReadInt32LittleEndian(encoded));
        Assert.Equal(0, encoded.Length % 2);
        Assert.Equal(0, decoded.Format.PlanarConfiguration);
        Assert.Equal(ByPixel(frame), decoded.Data.ToArray());
    }

    [Fact]
    public void a_frame_with_the_wrong_number_of_segments_or_a_short_segment_is_refused_with_the_reason()
    {
        var format = new ImagePixelModule(2, 2, 1, 16, 16, 15, 0, 0, PhotometricInterpretation.Monochrome2);
        var codec = new RleCodec();
        var valid = codec.Encode(new PixelFrame(format, [1, 2, 3, 4, 5, 6, 7, 8]));

        var wrongCount = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(wrongCount, 3);
        Assert.Contains("declares 3 segments, 2 expected", Assert.Throws<PixelDataException>(() => codec.Decode(wrongCount, format)).Message, StringComparison.Ordinal);

        var truncated = valid[..^4];
        Assert.Contains("RLE segment 2", Assert.Throws<PixelDataException>(() => codec.Decode(truncated, format)).Message, StringComparison.Ordinal);

        var outside = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(outside.AsSpan(8), 10_000);
        Assert.Contains("outside the frame", Assert.Throws<PixelDataException>(() => codec.Decode(outside, format)).Message, StringComparison.Ordinal);
    }
}
