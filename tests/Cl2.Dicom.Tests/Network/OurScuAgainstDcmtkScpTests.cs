using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Tests.Network;

/// <summary>Our SCU as requestor, DCMTK's storescp as acceptor.</summary>
public sealed class OurScuAgainstDcmtkScpTests
{
    private static DicomClientOptions Options => new() { CallingAeTitle = "CL2SCU", CalledAeTitle = StoreScpProcess.AeTitle };

    [Fact]
    public async Task our_c_echo_succeeds_against_storescp()
    {
        await using var storescp = await StoreScpProcess.StartAsync();

        var status = await EchoScu.EchoAsync("127.0.0.1", storescp.Port, Options, CancellationToken.None);

        Assert.Equal(DimseStatus.Success, status);
    }

    [Fact]
    public async Task our_c_store_of_corpus_files_lands_in_storescp_with_identical_data_set_bytes()
    {
        await using var storescp = await StoreScpProcess.StartAsync();
        // Distinct SOP instances (storescp names files by them): explicit and implicit little endian, JPEG lossless, JPEG 2000.
        string[] files = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_jpeg_dcmd.dcm", "SC_rgb_jpeg_gdcm.dcm", "JPEG2000.dcm"];
        var paths = files.Select(Corpus.File).ToList();

        var results = await StoreScu.SendAsync("127.0.0.1", storescp.Port, Options, paths, null, CancellationToken.None);

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.Path}: {r.Status} {r.Error}"));
        var stored = new Dictionary<string, byte[]>();
        foreach (var file in Directory.GetFiles(storescp.Folder))
        {
            var header = await Part10FileHeader.ReadAsync(file, CancellationToken.None);
            stored[header.MediaStorageSopInstanceUid] = await Corpus.DataSetBytesAsync(file);
        }
        foreach (var path in paths)
        {
            var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
            Assert.True(stored.TryGetValue(header.MediaStorageSopInstanceUid, out var arrived), $"{path} did not arrive");
            Assert.Equal(await Corpus.DataSetBytesAsync(path), arrived);
        }
    }

    [Fact]
    public async Task a_file_whose_syntax_the_peer_refuses_is_reported_not_sent_and_the_others_still_go()
    {
        // +x= : storescp accepts only the uncompressed syntaxes.
        await using var storescp = await StoreScpProcess.StartAsync("+x=");

        var results = await StoreScu.SendAsync("127.0.0.1", storescp.Port, Options,
            [Corpus.File("SC_rgb_jpeg_gdcm.dcm"), Corpus.File("CT_small.dcm")], null, CancellationToken.None);

        Assert.Null(results[0].Status);
        Assert.Contains(DicomUids.JPEGLosslessSV1.Value, results[0].Error, StringComparison.Ordinal);
        Assert.Equal(DimseStatus.Success, results[1].Status);
        Assert.Single(Directory.GetFiles(storescp.Folder));
    }
}
