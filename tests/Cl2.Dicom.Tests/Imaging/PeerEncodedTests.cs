using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

/// <summary>
/// Beyond the corpus: native corpus images compressed losslessly by DCMTK and GDCM must decode to exactly the pixels
/// they were made from. This covers what the corpus lacks, such as 16-bit signed JPEG lossless and colour JPEG-LS.
/// </summary>
public sealed class PeerEncodedTests
{
    [Theory]
    [InlineData("CT_small.dcm", "dcmcjpeg", "+e1")] // JPEG lossless SV1, 16-bit signed
    [InlineData("CT_small.dcm", "dcmcjpeg", "+el")] // JPEG lossless process 14, DCMTK's default predictor 6
    [InlineData("MR_small.dcm", "dcmcjpeg", "+e1")]
    [InlineData("SC_rgb_small_odd.dcm", "dcmcjpeg", "+e1")] // three components, odd size
    [InlineData("SC_rgb_small_odd.dcm", "dcmcjpeg", "+el")] // three components, predictor 6
    [InlineData("CT_small.dcm", "gdcmconv", "--jpegls")]
    [InlineData("SC_rgb_small_odd.dcm", "gdcmconv", "--jpegls")]
    [InlineData("CT_small.dcm", "gdcmconv", "--j2k")]
    [InlineData("rtdose.dcm", "dcmcrle", "")] // 32-bit, 15 frames
    public async Task a_lossless_encoding_by_a_peer_decodes_to_the_original_pixels(string file, string tool, string option)
    {
        var directory = Directory.CreateTempSubdirectory("cl2-peer-encoded-");
        try
        {
            var encoded = Path.Combine(directory.FullName, "encoded.dcm");
            string[] arguments = option.Length == 0 ? [Corpus.File(file), encoded] : [option, Corpus.File(file), encoded];
            (await ProcessRunner.RunAsync(tool, arguments, environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" })).EnsureSuccess(tool);

            var original = Corpus.PixelDataOf(Corpus.File(file));
            var compressed = DicomPixelData.From(DicomFile.Open(encoded));
            Assert.True(compressed.TransferSyntax.IsEncapsulated, $"{tool} {option} wrote {compressed.TransferSyntax}");
            Assert.Equal(original.NumberOfFrames, compressed.NumberOfFrames);
            for (var i = 0; i < original.NumberOfFrames; i++)
            {
                var expected = original.DecodeFrame(i);
                var actual = compressed.DecodeFrame(i);
                Assert.Equal(expected.Format.BitsAllocated, actual.Format.BitsAllocated);
                Assert.Equal(expected.StoredValues(), actual.StoredValues());
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Every predictor of lossless JPEG (T.81 Table H.1) on 16-bit data that crosses 32768, as negative CT numbers do in
    /// two's complement: CT_small shifted down by 1024 and compressed by DCMTK with each selection value.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task every_lossless_jpeg_predictor_decodes_negative_16_bit_samples_exactly(int predictor)
    {
        var directory = Directory.CreateTempSubdirectory("cl2-predictor-");
        try
        {
            var ct = DicomFile.Open(Corpus.File("CT_small.dcm"));
            var original = DicomPixelData.From(ct).DecodeFrame(0);
            var shifted = original.Samples<short>().ToArray().Select(v => (short)(v - 1024)).ToArray();
            var bytes = new byte[shifted.Length * 2];
            Buffer.BlockCopy(shifted, 0, bytes, 0, bytes.Length);
            ct.Dataset.SetBytes(DicomTags.PixelData, DicomVR.OW, bytes);
            var native = Path.Combine(directory.FullName, "native.dcm");
            var encoded = Path.Combine(directory.FullName, "encoded.dcm");
            ct.Save(native, DicomTransferSyntax.ExplicitVRLittleEndian);
            (await ProcessRunner.RunAsync("dcmcjpeg", ["+el", "+sv", $"{predictor}", native, encoded], environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }))
                .EnsureSuccess("dcmcjpeg");

            var decoded = DicomPixelData.From(DicomFile.Open(encoded)).DecodeFrame(0);

            Assert.Contains(shifted, v => v < 0);
            Assert.Equal(shifted, decoded.Samples<short>().ToArray());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
