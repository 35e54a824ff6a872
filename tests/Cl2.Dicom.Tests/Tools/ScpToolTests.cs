using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Tools;
using Cl2.Dicom.Tests.Network;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>`./cl2 dicom scp` as the receiver of DCMTK's storescu and of our own store tool.</summary>
public sealed class ScpToolTests
{
    [Fact]
    public async Task storescu_stores_into_the_scp_tool_which_writes_part10_files_with_the_data_sets_as_sent()
    {
        await using var scp = await ScpTool.StartAsync("CL2SCP");
        var sources = Directory.CreateTempSubdirectory("cl2-scp-src-").FullName;
        try
        {
            // storescu re-encodes what it reads, so compare with files already in DCMTK's own encoding.
            string[] files = [await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", sources), await Corpus.DcmtkEncodedCopyAsync("MR_small.dcm", sources)];

            var result = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2SCP", "127.0.0.1", scp.Port.ToString(), .. files]);

            Assert.True(result.ExitCode == 0, result.Output + result.Error);
            foreach (var file in files)
            {
                var header = await Part10FileHeader.ReadAsync(file, CancellationToken.None);
                var written = Path.Combine(scp.Folder, header.MediaStorageSopInstanceUid + ".dcm");
                Assert.True(File.Exists(written), $"{written} was not written:\n{scp.Output}");
                Assert.Equal(await Corpus.DataSetBytesAsync(file), await Corpus.DataSetBytesAsync(written));
                var writtenHeader = await Part10FileHeader.ReadAsync(written, CancellationToken.None);
                Assert.Equal((header.MediaStorageSopClassUid, header.TransferSyntaxUid), (writtenHeader.MediaStorageSopClassUid, writtenHeader.TransferSyntaxUid));
                (await Dcmtk.RunAsync("dcmdump", ["-q", written])).EnsureSuccess($"dcmdump {written}");
            }
        }
        finally
        {
            Directory.Delete(sources, recursive: true);
        }
        var (code, output) = await scp.StopAsync();
        Assert.Equal(DicomTool.Success, code);
        Assert.Contains("stopped; received 2 instance(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_scp_tool_rejects_a_calling_ae_title_it_does_not_allow_and_serves_an_allowed_one()
    {
        await using var scp = await ScpTool.StartAsync("CL2SCP", "--allow", "FRIEND");

        var stranger = DicomToolRunner.Run("echo", "-aet", "STRANGER", "-aec", "CL2SCP", "127.0.0.1", scp.Port.ToString());
        var friend = DicomToolRunner.Run("echo", "-aet", "FRIEND", "-aec", "CL2SCP", "127.0.0.1", scp.Port.ToString());

        Assert.Equal(DicomTool.PeerFailure, stranger.ExitCode);
        Assert.Contains("calling-AE-title-not-recognized", stranger.Error, StringComparison.Ordinal);
        Assert.Contains("register it there", stranger.Error, StringComparison.Ordinal);
        Assert.True(friend.ExitCode == DicomTool.Success, friend.Output + friend.Error);
    }

    [Fact]
    public async Task the_store_tool_into_the_scp_tool_moves_compressed_and_uncompressed_files_unchanged_in_one_association()
    {
        await using var scp = await ScpTool.StartAsync("CL2SCP", "-v");
        // Distinct SOP Instance UIDs (the receiver names files by them): explicit LE, JPEG lossless, JPEG 2000, deflate.
        string[] names = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_jpeg_gdcm.dcm", "JPEG2000.dcm", "image_dfl.dcm"];
        var files = names.Select(Corpus.File).ToArray();

        var (code, output, error) = DicomToolRunner.Run(["store", "-aec", "CL2SCP", "127.0.0.1", scp.Port.ToString(), .. files]);

        Assert.True(code == DicomTool.Success, output + error);
        Assert.Contains($"stored {names.Length} of {names.Length}", output, StringComparison.Ordinal);
        var expected = new List<string>();
        foreach (var file in files)
        {
            expected.Add(ToolCorpus.Hash(await ToolCorpus.WireBytesAsync(file)));
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await ToolCorpus.ReceivedHashesAsync(scp.Folder)).Order(StringComparer.Ordinal));
    }
}
