using System.Text.Json.Nodes;
using Cl2.Dicom;
using Cl2.Dicom.Tools;
using static Cl2.Testing.DicomToolRunner;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class DicomToolTests
{
    [Fact]
    public void dump_prints_one_line_per_element_with_keyword_and_value()
    {
        var (code, output, _) = Run("dump", Corpus.DataFile("test_files/CT_small.dcm"));

        Assert.Equal(DicomTool.Success, code);
        Assert.Contains("(0010,0010) PN [CompressedSamples^CT1]", output, StringComparison.Ordinal);
        Assert.Contains("PatientName", output, StringComparison.Ordinal);
        Assert.Contains("(0002,0010) UI [1.2.840.10008.1.2.1]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task json_prints_what_dcm2json_prints()
    {
        var path = Corpus.DataFile("test_files/rtplan.dcm");
        var (code, output, _) = Run("json", path);
        var theirs = await Dcmtk.RunAsync("dcm2json", [path]);

        Assert.Equal(DicomTool.Success, code);
        Assert.Empty(DicomJsonComparison.Compare(JsonNode.Parse(output), JsonNode.Parse(theirs.Output)));
    }

    [Fact]
    public async Task convert_writes_the_requested_syntax_and_dcmtk_reads_it()
    {
        var destination = Path.Combine(Directory.CreateTempSubdirectory("cl2-tool-").FullName, "big.dcm");
        try
        {
            var (code, _, _) = Run("convert", Corpus.DataFile("test_files/CT_small.dcm"), "--transfer-syntax", "1.2.840.10008.1.2.2", "--out", destination);
            var dump = await Dcmtk.RunAsync("dcmdump", [destination]);

            Assert.Equal(DicomTool.Success, code);
            Assert.Equal(0, dump.ExitCode);
            Assert.Contains("BigEndianExplicit", dump.Output, StringComparison.Ordinal);
            Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian.Uid, DicomFile.Open(destination).TransferSyntax.Uid);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(destination)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("test_files/JPEG2000.dcm", "1.2.840.10008.1.2.1")]
    [InlineData("test_files/SC_rgb_rle.dcm", "1.2.840.10008.1.2.2")]
    [InlineData("test_files/MR_small_jpeg_ls_lossless.dcm", "1.2.840.10008.1.2")]
    [InlineData("test_files/SC_rgb_jpeg_dcmtk.dcm", "1.2.840.10008.1.2.1.99")]
    public async Task convert_decodes_compressed_pixel_data_into_a_native_syntax_with_the_same_pixels(string relative, string target)
    {
        var folder = Directory.CreateTempSubdirectory("cl2-tool-").FullName;
        try
        {
            var destination = Path.Combine(folder, "native.dcm");
            var (code, _, error) = Run("convert", Corpus.DataFile(relative), "--transfer-syntax", target, "--out", destination);
            Assert.True(code == DicomTool.Success, error);
            Assert.Equal(0, (await Dcmtk.RunAsync("dcmdump", ["-q", destination])).ExitCode);

            var converted = DicomFile.Open(destination);
            Assert.Equal(target, converted.TransferSyntax.Uid);
            Assert.Equal(FramePixels(DicomFile.Open(Corpus.DataFile(relative))), FramePixels(converted));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task convert_to_rle_writes_a_file_dcmtk_decompresses_to_the_original_pixels()
    {
        var folder = Directory.CreateTempSubdirectory("cl2-tool-").FullName;
        try
        {
            var original = Corpus.DataFile("test_files/CT_small.dcm");
            var rle = Path.Combine(folder, "rle.dcm");
            var decompressed = Path.Combine(folder, "decompressed.dcm");
            var (code, _, error) = Run("convert", original, "--transfer-syntax", "1.2.840.10008.1.2.5", "--out", rle);
            Assert.True(code == DicomTool.Success, error);
            (await Dcmtk.RunAsync("dcmdrle", [rle, decompressed])).EnsureSuccess("dcmdrle");

            Assert.Equal("1.2.840.10008.1.2.5", DicomFile.Open(rle).TransferSyntax.Uid);
            Assert.Equal(FramePixels(DicomFile.Open(original)), FramePixels(DicomFile.Open(decompressed)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] FramePixels(DicomFile file)
    {
        var pixels = Cl2.Dicom.Imaging.DicomPixelData.From(file);
        return Enumerable.Range(0, pixels.NumberOfFrames).SelectMany(frame => pixels.DecodeFrame(frame).Data.ToArray()).ToArray();
    }

    [Fact]
    public void bad_input_exits_1_with_the_reason_and_bad_usage_exits_2()
    {
        var truncated = Run("json", Corpus.DataFile("test_files/rtplan_truncated.dcm"));
        var missing = Run("dump", "/nonexistent/file.dcm");

        Assert.Equal(DicomTool.BadInput, truncated.ExitCode);
        Assert.Contains("byte offset", truncated.Error, StringComparison.Ordinal);
        Assert.Equal(DicomTool.BadInput, missing.ExitCode);
        Assert.Equal(DicomTool.BadUsage, Run().ExitCode);
        Assert.Equal(DicomTool.BadUsage, Run("frobnicate").ExitCode);
        Assert.Equal(DicomTool.BadUsage, Run("json").ExitCode);
        Assert.Equal(DicomTool.BadUsage, Run("convert", "x.dcm", "--transfer-syntax", "1.2.840.10008.1.2.4.50", "--out", "y.dcm").ExitCode);
    }
}
