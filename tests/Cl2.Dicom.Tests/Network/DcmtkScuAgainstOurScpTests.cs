using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>DCMTK's echoscu and storescu as requestors, our <c>DicomServer</c> as acceptor.</summary>
public sealed class DcmtkScuAgainstOurScpTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task echoscu_gets_a_successful_c_echo_from_our_scp()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", TestServer.AeTitle, "127.0.0.1", server.Port.ToString()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var closed = await server.NextClosedAsync(Wait);
        Assert.Equal("ECHOSCU", closed.CallingAeTitle);
        Assert.Null(closed.Error);
    }

    [Fact]
    public async Task an_unknown_calling_ae_title_is_rejected_with_reason_calling_ae_not_recognized()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Dcmtk.RunAsync("echoscu", ["-aet", "STRANGER", "-aec", TestServer.AeTitle, "127.0.0.1", server.Port.ToString()]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", result.Output + result.Error, StringComparison.OrdinalIgnoreCase);
        var rejected = Assert.IsType<AssociationRejectedException>((await server.NextClosedAsync(Wait)).Error);
        Assert.Equal(AssociateRejectResult.RejectedPermanent, rejected.Reject.Result);
        Assert.Equal(AssociateRejectSource.ServiceUser, rejected.Reject.Source);
        Assert.Equal(AssociateRejectReason.CallingAeTitleNotRecognized, rejected.Reject.Reason);
    }

    [Fact]
    public async Task a_wrong_called_ae_title_is_rejected_with_reason_called_ae_not_recognized()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOSCU", "-aec", "SOMEONE_ELSE", "127.0.0.1", server.Port.ToString()]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Called AE Title Not Recognized", result.Output + result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(new[] { "CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm" }, new string[0])]
    [InlineData(new[] { "rtstruct.dcm", "MR_small_implicit.dcm" }, new[] { "-xi" })]
    [InlineData(new[] { "MR_small_bigendian.dcm" }, new[] { "-xb" })]
    public async Task storescu_delivers_uncompressed_corpus_files_whose_data_set_bytes_arrive_unchanged(string[] files, string[] options)
    {
        await using var server = await TestServer.StartAsync();

        var folder = Directory.CreateTempSubdirectory("cl2-storescu-").FullName;
        var paths = await Task.WhenAll(files.Select(file => Corpus.DcmtkEncodedCopyAsync(file, folder)));
        var result = await Dcmtk.RunAsync("storescu", [.. options, "-aet", "STORESCU", "-aec", TestServer.AeTitle, "127.0.0.1", server.Port.ToString(), .. paths]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await AssertArrivedUnchangedAsync(server, paths);
    }

    [Theory]
    [InlineData("MR_small_RLE.dcm", "-xr")]
    [InlineData("SC_rgb_jpeg_gdcm.dcm", "-xs")]
    [InlineData("JPGExtended.dcm", "-xx")]
    [InlineData("MR_small_jpeg_ls_lossless.dcm", "-xt")]
    [InlineData("JPEG2000.dcm", "-xw")]
    [InlineData("image_dfl.dcm", "-xd")]
    public async Task storescu_delivers_a_compressed_file_in_its_own_transfer_syntax_unchanged(string file, string syntaxOption)
    {
        await using var server = await TestServer.StartAsync();

        var path = await Corpus.DcmtkEncodedCopyAsync(file, Directory.CreateTempSubdirectory("cl2-storescu-").FullName);
        var result = await Dcmtk.RunAsync("storescu", ["-R", syntaxOption, "-aet", "STORESCU", "-aec", TestServer.AeTitle,
            "127.0.0.1", server.Port.ToString(), path]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await AssertArrivedUnchangedAsync(server, [path]);
    }

    private static async Task AssertArrivedUnchangedAsync(TestServer server, string[] paths)
    {
        Assert.Null((await server.NextClosedAsync(Wait)).Error);
        var received = server.Store.Received.ToList();
        Assert.Equal(paths.Length, received.Count);
        foreach (var (path, instance) in paths.Zip(received))
        {
            var header = await Cl2.Dicom.Network.Client.Part10FileHeader.ReadAsync(path, CancellationToken.None);
            Assert.Equal("STORESCU", instance.CallingAeTitle);
            Assert.Equal(header.MediaStorageSopClassUid, instance.SopClassUid);
            Assert.Equal(header.MediaStorageSopInstanceUid, instance.SopInstanceUid);
            Assert.Equal(header.TransferSyntaxUid, instance.TransferSyntaxUid);
            var expected = await Corpus.DataSetBytesAsync(path);
            if (header.TransferSyntaxUid == DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid && expected.Length % 2 == 1)
            {
                // A deflated bitstream travels padded to even length with one NUL (PS3.5 A.5); the file keeps it odd.
                expected = [.. expected, 0];
            }
            Assert.Equal(expected, instance.DataSet);
        }
    }
}
