namespace Cl2.Dicom.Tests.Peers;

/// <summary>The test PACS itself must work before any test trusts what it says about cl2.</summary>
public sealed class OrthancPeerTests
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    [Fact]
    public async Task orthanc_answers_dcmtk_echo_and_keeps_what_dcmtk_stores()
    {
        await using var orthanc = await OrthancPeer.StartAsync();
        var file = Path.Combine(Corpus, "CT_small.dcm");

        var echo = await Dcmtk.RunAsync("echoscu", ["-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var store = await Dcmtk.RunAsync("storescu", ["-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture), file]);
        var dump = await Dcmtk.RunAsync("dcmdump", ["+P", "SOPInstanceUID", file]);

        echo.EnsureSuccess("echoscu to Orthanc");
        store.EnsureSuccess("storescu to Orthanc");
        var uid = dump.Output.Split('[', ']')[1];
        Assert.Equal([uid], await orthanc.InstanceUidsAsync());
    }
}
