using System.Net.Sockets;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Inference.Ingest;

namespace Cl2.Inference.Tests.Listener;

/// <summary>DCMTK's echoscu and storescu against the inference host's listener: what Success means, byte for byte.</summary>
public sealed class ListenerStoreTests
{
    private static async Task<ProcessResult> StoreScuAsync(ListenerHost host, IEnumerable<string> options, params string[] paths) =>
        await Dcmtk.RunAsync("storescu", [.. options, "-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(), .. paths]);

    private static async Task AssertStoredUnchangedAsync(ListenerHost host, string path)
    {
        var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
        var expected = await Corpus.DataSetBytesAsync(path);
        if (header.TransferSyntaxUid == DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid && expected.Length % 2 == 1)
        {
            expected = [.. expected, 0]; // a deflated bitstream travels padded to even length (PS3.5 A.5)
        }
        var stored = Assert.Single(host.Store.Versions(header.MediaStorageSopInstanceUid));
        Assert.Equal((header.MediaStorageSopClassUid, header.TransferSyntaxUid, "STORESCU"), (stored.SopClassUid, stored.TransferSyntaxUid, stored.CallingAeTitle));
        Assert.Equal(expected, host.StoredDataSet(header.MediaStorageSopInstanceUid));
    }

    [Fact]
    public async Task echoscu_gets_success_from_the_listener_as_cl2()
    {
        await using var host = ListenerHost.Start();

        var result = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Fact]
    public async Task storescu_stores_uncompressed_instances_that_are_kept_byte_for_byte_and_reported_as_received_studies()
    {
        await using var host = ListenerHost.Start();
        var received = new List<StudyReceived>();
        host.Store.StudyReceived += (_, study) => received.Add(study);
        var folder = Directory.CreateTempSubdirectory("cl2-listener-send-").FullName;
        var paths = await Task.WhenAll(new[] { "CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm" }.Select(file => Corpus.DcmtkEncodedCopyAsync(file, folder)));

        var result = await StoreScuAsync(host, [], paths);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        foreach (var path in paths)
        {
            await AssertStoredUnchangedAsync(host, path);
        }
        Assert.Equal(3, received.Count);
        var studies = JsonDocument.Parse(await host.CreateClient().GetStringAsync(new Uri("/api/inference/studies", UriKind.Relative))).RootElement.GetProperty("items");
        Assert.Equal(received.Select(study => study.StudyInstanceUid).Order(),
            studies.EnumerateArray().Select(study => study.GetProperty("studyInstanceUid").GetString()).Order());
        Assert.All(studies.EnumerateArray(), study => Assert.Equal(1, study.GetProperty("instances").GetInt32()));
    }

    [Theory]
    [InlineData("SC_rgb_small_odd_jpeg.dcm", "-xy")]
    [InlineData("JPGExtended.dcm", "-xx")]
    [InlineData("SC_rgb_jpeg_gdcm.dcm", "-xs")]
    [InlineData("MR_small_jpeg_ls_lossless.dcm", "-xt")]
    [InlineData("MR_small_jp2klossless.dcm", "-xv")]
    [InlineData("JPEG2000.dcm", "-xw")]
    [InlineData("SC_rgb_rle.dcm", "-xr")]
    [InlineData("image_dfl.dcm", "-xd")]
    public async Task storescu_stores_a_compressed_instance_in_its_own_transfer_syntax_byte_for_byte(string file, string syntaxOption)
    {
        await using var host = ListenerHost.Start();
        var path = await Corpus.DcmtkEncodedCopyAsync(file, Directory.CreateTempSubdirectory("cl2-listener-send-").FullName);

        var result = await StoreScuAsync(host, ["-R", syntaxOption], path);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await AssertStoredUnchangedAsync(host, path);
    }

    [Fact]
    public async Task the_same_bytes_twice_are_kept_once_and_different_bytes_under_the_same_uid_become_a_new_version()
    {
        await using var host = ListenerHost.Start();
        var folder = Directory.CreateTempSubdirectory("cl2-listener-send-").FullName;
        var path = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", folder);
        var changed = Path.Combine(folder, "changed.dcm");
        File.Copy(path, changed);
        (await Dcmtk.RunAsync("dcmodify", ["-nb", "-m", "PatientName=Changed^Name", changed])).EnsureSuccess("dcmodify");
        var uid = (await Part10FileHeader.ReadAsync(path, CancellationToken.None)).MediaStorageSopInstanceUid;

        var first = await StoreScuAsync(host, [], path);
        var again = await StoreScuAsync(host, [], path);
        var copiesAfterDuplicate = host.CopiesOnDisk(await Corpus.DataSetBytesAsync(path));
        var other = await StoreScuAsync(host, [], changed);

        Assert.All(new[] { first, again, other }, result => Assert.True(result.ExitCode == 0, result.Output + result.Error));
        Assert.Equal(1, copiesAfterDuplicate);
        Assert.Equal(1, host.Store.DuplicatesReceived);
        Assert.Equal(1, host.Store.NewVersionsReceived);
        var versions = host.Store.Versions(uid);
        Assert.Equal([1, 2], versions.Select(version => version.Version));
        Assert.Equal("Changed^Name", versions[1].Attribute("PatientName"));
        Assert.Equal(await Corpus.DataSetBytesAsync(changed), host.StoredDataSet(uid));
        Assert.Single(host.Store.Studies());
    }

    [Fact]
    public async Task an_unknown_calling_ae_title_is_rejected_where_peers_are_listed()
    {
        await using var host = ListenerHost.Start(("Peers:0:AeTitle", "ECHOSCU"), ("Peers:0:Hosts:0", "127.0.0.1"));

        var stranger = await Dcmtk.RunAsync("echoscu", ["-aet", "STRANGER", "-aec", "CL2", "127.0.0.1", host.Port.ToString()]);
        var known = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString()]);

        Assert.NotEqual(0, stranger.ExitCode);
        Assert.Contains("Rejected Permanent", stranger.Output + stranger.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Calling AE Title Not Recognized", stranger.Output + stranger.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(known.ExitCode == 0, known.Output + known.Error);
    }

    [Fact]
    public async Task the_listener_keeps_storing_for_others_while_one_peer_stalls_inside_a_pdu_and_another_sends_garbage()
    {
        await using var host = ListenerHost.Start();
        using var stalled = new TcpClient();
        await stalled.ConnectAsync("127.0.0.1", host.Port);
        // An A-ASSOCIATE-RQ header that announces far more bytes than follow; then the peer goes quiet.
        await stalled.GetStream().WriteAsync(new byte[] { 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0xde, 0xad });
        using var garbage = new TcpClient();
        await garbage.ConnectAsync("127.0.0.1", host.Port);
        await garbage.GetStream().WriteAsync(new byte[] { 0x42, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04 });
        var path = await Corpus.DcmtkEncodedCopyAsync("MR_small.dcm", Directory.CreateTempSubdirectory("cl2-listener-send-").FullName);

        var result = await StoreScuAsync(host, [], path);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await AssertStoredUnchangedAsync(host, path);
        // The garbage peer is answered (A-ABORT) and disconnected: reading reaches the end of the stream.
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var scratch = new byte[64];
        while (await garbage.GetStream().ReadAsync(scratch, hangGuard.Token) > 0)
        {
        }
    }
}
