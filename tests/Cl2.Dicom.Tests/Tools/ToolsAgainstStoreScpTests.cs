using Cl2.Dicom.Tools;
using Cl2.Dicom.Tests.Network;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>`./cl2 dicom echo` and `store` against DCMTK's storescp, and against peers that are down or drop the association.</summary>
public sealed class ToolsAgainstStoreScpTests
{
    [Fact]
    public async Task echo_tool_gets_success_from_storescp()
    {
        await using var storescp = await StoreScpProcess.StartAsync();

        var (code, output, error) = DicomToolRunner.Run("echo", "-aet", "CL2SCU", "-aec", StoreScpProcess.AeTitle, "127.0.0.1", storescp.Port.ToString());

        Assert.True(code == DicomTool.Success, output + error);
        Assert.Contains("0x0000 Success", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task store_tool_sends_the_corpus_folder_and_storescp_receives_every_storable_data_set_byte_for_byte()
    {
        // +uf: unique file names, since many corpus files share SOP Instance UIDs.
        await using var storescp = await StoreScpProcess.StartAsync("+xa", "+uf");
        var storable = await ToolCorpus.StorableFilesAsync();

        var (code, output, error) = DicomToolRunner.Run("store", "-aec", StoreScpProcess.AeTitle, "127.0.0.1", storescp.Port.ToString(), Corpus.Folder);

        // DICOMDIRs (Media Storage Directory is no storage SOP class) and malformed files are refused by name: exit 3.
        Assert.True(code == DicomTool.PeerFailure, output + error);
        Assert.Contains($"stored {storable.Count} of ", output, StringComparison.Ordinal);
        var failed = error.Split('\n').Where(l => l.StartsWith("FAILED ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, line => Assert.DoesNotContain(storable, s => line.StartsWith($"FAILED {s.Path} ", StringComparison.Ordinal)));
        var expected = new List<string>();
        foreach (var (path, _) in storable)
        {
            expected.Add(ToolCorpus.Hash(await ToolCorpus.WireBytesAsync(path)));
        }
        var received = await ToolCorpus.ReceivedHashesAsync(storescp.Folder);
        Assert.Equal(expected.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
        Assert.Contains("instances/s", error, StringComparison.Ordinal);
    }

    [Fact]
    public void store_tool_to_a_peer_that_is_down_exits_3_and_says_what_to_check()
    {
        var port = FreePort.Next(); // nothing listens there once the probe listener is gone

        var (code, output, error) = DicomToolRunner.Run("store", "-aec", "NOBODY", "127.0.0.1", port.ToString(), Corpus.File("CT_small.dcm"));

        Assert.Equal(DicomTool.PeerFailure, code);
        Assert.Contains($"cannot connect to 127.0.0.1:{port}", error, StringComparison.Ordinal);
        Assert.Contains("check that the peer runs", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task store_tool_lists_every_file_the_peer_did_not_acknowledge_when_the_association_drops()
    {
        // storescp --abort-after aborts the association after the first C-STORE-RQ, before it answers.
        await using var storescp = await StoreScpProcess.StartAsync("+xa", "--abort-after");
        string[] files = [Corpus.File("CT_small.dcm"), Corpus.File("MR_small.dcm"), Corpus.File("JPEG2000.dcm")];

        var (code, output, error) = DicomToolRunner.Run(["store", "-aec", StoreScpProcess.AeTitle, "127.0.0.1", storescp.Port.ToString(), .. files]);

        Assert.Equal(DicomTool.PeerFailure, code);
        Assert.Contains("stored 0 of 3", output, StringComparison.Ordinal);
        Assert.All(files, f => Assert.Contains($"NOT ACKNOWLEDGED {f} ", error, StringComparison.Ordinal));
        Assert.Contains("send those files again", error, StringComparison.Ordinal);
    }
}
