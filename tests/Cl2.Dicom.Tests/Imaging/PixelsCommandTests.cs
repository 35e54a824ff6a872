using Cl2.Dicom.Tools;
using static Cl2.Testing.DicomToolRunner;

namespace Cl2.Dicom.Tests.Imaging;

public sealed class PixelsCommandTests
{
    [Fact]
    public void pixels_writes_the_requested_frame_and_says_how_to_read_it()
    {
        var target = Path.Combine(Path.GetTempPath(), $"cl2-pixels-{Guid.NewGuid():N}.raw");
        try
        {
            var (code, output, _) = Run("pixels", Corpus.File("SC_rgb_rle_2frame.dcm"), "--frame", "2", "--out", target);

            Assert.Equal(DicomTool.Success, code);
            Assert.Contains("frame 2 of 2: 100 rows x 100 columns x 3 samples, 8 bits allocated", output, StringComparison.Ordinal);
            Assert.Equal(Corpus.PixelDataOf(Corpus.File("SC_rgb_rle_2frame.dcm")).DecodeFrame(1).Data.ToArray(), File.ReadAllBytes(target));
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public void pixels_refuses_a_frame_that_does_not_exist_and_a_file_without_pixels()
    {
        var target = Path.Combine(Path.GetTempPath(), $"cl2-pixels-{Guid.NewGuid():N}.raw");

        var (code, _, error) = Run("pixels", Corpus.File("CT_small.dcm"), "--frame", "2", "--out", target);
        Assert.Equal(DicomTool.BadUsage, code);
        Assert.Contains("the file has 1 frame(s)", error, StringComparison.Ordinal);

        (code, _, error) = Run("pixels", Corpus.File("rtplan.dcm"), "--out", target);
        Assert.Equal(DicomTool.BadInput, code);
        Assert.Contains("no Pixel Data", error, StringComparison.Ordinal);

        (code, _, error) = Run("pixels", Corpus.File("JPEG2000-embedded-sequence-delimiter.dcm"), "--out", target);
        Assert.Equal(DicomTool.BadInput, code);
        Assert.Contains("JPEG 2000 SIZ declares 3722445056x1024", error, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }
}
