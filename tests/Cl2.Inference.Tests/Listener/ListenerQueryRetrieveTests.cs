using Cl2.Dicom.Network.Client;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// DCMTK's findscu, movescu and getscu against the listener, over three studies it received: CT_small (patient 1CT1,
/// 2004-01-19, CT), MR_small (4MR1, 2004-08-26, MR) and SC_rgb_small_odd (ID1, 2017-01-01, OT).
/// </summary>
public sealed class ListenerQueryRetrieveTests
{
    private const string CtStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
    private const string CtSeries = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322";
    private const string CtInstance = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
    private const string MrStudy = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";
    private const string ScStudy = "1.2.826.0.1.3680043.8.498.12406831542731051035295345080039845114";

    private static async Task<(ListenerHost Host, string[] Paths)> HostWithThreeStudiesAsync(params (string Key, string Value)[] settings)
    {
        // Query/retrieve is for configured callers only: these are DCMTK's, as the tests below name them.
        var host = ListenerHost.Start([.. Peer(0, "FINDSCU", "Find"), .. Peer(1, "MOVESCU", "Move"), .. Peer(2, "GETSCU", "Get"), .. Peer(3, "STORESCU"), .. settings]);
        var folder = Directory.CreateTempSubdirectory("cl2-listener-send-").FullName;
        var paths = await Task.WhenAll(new[] { "CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm" }.Select(file => Corpus.DcmtkEncodedCopyAsync(file, folder)));
        (await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(), .. paths])).EnsureSuccess("storescu");
        return (host, paths);
    }

    /// <summary>Settings for entry <paramref name="index"/> of Peers: a loopback caller that may use <paramref name="services"/>.</summary>
    internal static (string Key, string Value)[] Peer(int index, string aeTitle, params string[] services) =>
        [($"Peers:{index}:AeTitle", aeTitle), ($"Peers:{index}:Hosts:0", "127.0.0.1"),
            .. services.Select((service, i) => ($"Peers:{index}:QueryRetrieve:{i}", service))];

    private static async Task<string> FindAsync(ListenerHost host, string root, params string[] keys)
    {
        var result = await Dcmtk.RunAsync("findscu", [root, "-aet", "FINDSCU", "-aec", "CL2", .. keys.SelectMany(key => new[] { "-k", key }),
            "127.0.0.1", host.Port.ToString()]);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        return result.Output + result.Error;
    }

    private static int Responses(string findscuOutput) => findscuOutput.Split('\n').Count(line => line.Contains("Find Response:", StringComparison.Ordinal) && line.Contains("Pending", StringComparison.Ordinal));

    [Fact]
    public async Task findscu_queries_each_level_of_the_patient_root_model()
    {
        var (host, _) = await HostWithThreeStudiesAsync();
        await using var _ = host;

        var patients = await FindAsync(host, "-P", "QueryRetrieveLevel=PATIENT", "PatientID", "PatientName=*samples*");
        var studies = await FindAsync(host, "-P", "QueryRetrieveLevel=STUDY", "PatientID=4MR1", "StudyInstanceUID", "StudyDate");
        var series = await FindAsync(host, "-P", "QueryRetrieveLevel=SERIES", "PatientID=1CT1", $"StudyInstanceUID={CtStudy}", "SeriesInstanceUID", "Modality");
        var images = await FindAsync(host, "-P", "QueryRetrieveLevel=IMAGE", "PatientID=1CT1", $"StudyInstanceUID={CtStudy}", $"SeriesInstanceUID={CtSeries}", "SOPInstanceUID");

        Assert.Equal(2, Responses(patients));
        Assert.Contains("1CT1", patients, StringComparison.Ordinal);
        Assert.Contains("4MR1", patients, StringComparison.Ordinal);
        Assert.DoesNotContain("ID1", patients, StringComparison.Ordinal);
        Assert.Equal(1, Responses(studies));
        Assert.Contains(MrStudy, studies, StringComparison.Ordinal);
        Assert.Contains("20040826", studies, StringComparison.Ordinal);
        Assert.Equal(1, Responses(series));
        Assert.Contains(CtSeries, series, StringComparison.Ordinal);
        Assert.Contains("[CT]", series, StringComparison.Ordinal);
        Assert.Equal(1, Responses(images));
        Assert.Contains(CtInstance, images, StringComparison.Ordinal);
    }

    [Fact]
    public async Task findscu_queries_each_level_of_the_study_root_model_with_ranges_wild_cards_and_lists()
    {
        var (host, _) = await HostWithThreeStudiesAsync();
        await using var _ = host;

        var range = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", "StudyDate=20040101-20041231", "StudyInstanceUID", "ModalitiesInStudy", "NumberOfStudyRelatedInstances");
        var openRange = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", "StudyDate=20100101-", "StudyInstanceUID");
        var list = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", $"StudyInstanceUID={CtStudy}\\{ScStudy}", "PatientName");
        var byModality = await FindAsync(host, "-S", "QueryRetrieveLevel=STUDY", "ModalitiesInStudy=MR", "StudyInstanceUID");
        var series = await FindAsync(host, "-S", "QueryRetrieveLevel=SERIES", $"StudyInstanceUID={MrStudy}", "SeriesInstanceUID", "Modality=M?");
        var images = await FindAsync(host, "-S", "QueryRetrieveLevel=IMAGE", $"StudyInstanceUID={CtStudy}", "SOPInstanceUID", "SOPClassUID");
        var patientLevel = await Dcmtk.RunAsync("findscu", ["-v", "-S", "-aet", "FINDSCU", "-aec", "CL2", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID",
            "127.0.0.1", host.Port.ToString()]);

        Assert.Equal(2, Responses(range));
        Assert.Contains(CtStudy, range, StringComparison.Ordinal);
        Assert.Contains(MrStudy, range, StringComparison.Ordinal);
        Assert.Contains("[MR]", range, StringComparison.Ordinal);
        Assert.Equal(1, Responses(openRange));
        Assert.Contains(ScStudy, openRange, StringComparison.Ordinal);
        Assert.Equal(2, Responses(list));
        Assert.Contains("Lestrade^G", list, StringComparison.Ordinal);
        Assert.Equal(1, Responses(byModality));
        Assert.Contains(MrStudy, byModality, StringComparison.Ordinal);
        Assert.Equal(1, Responses(series));
        Assert.Equal(1, Responses(images));
        Assert.Contains(CtInstance, images, StringComparison.Ordinal);
        Assert.True((patientLevel.Output + patientLevel.Error).Contains("Error: DataSetDoesNotMatchSOPClass", StringComparison.OrdinalIgnoreCase),
            patientLevel.Output + patientLevel.Error);
    }

    [Fact]
    public async Task movescu_moves_a_study_to_a_configured_storescp_destination_byte_for_byte()
    {
        await using var storescp = await StoreScpProcess.StartAsync();
        var (host, paths) = await HostWithThreeStudiesAsync(("MoveDestinations:STORESCP", $"127.0.0.1:{storescp.Port}"));
        await using var _ = host;

        var result = await Dcmtk.RunAsync("movescu", ["-S", "-aet", "MOVESCU", "-aem", StoreScpProcess.AeTitle, "-aec", "CL2",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={CtStudy}\\{MrStudy}", "127.0.0.1", host.Port.ToString()]);
        var unknown = await Dcmtk.RunAsync("movescu", ["-S", "-aet", "MOVESCU", "-aem", "NOWHERE", "-aec", "CL2",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={CtStudy}", "127.0.0.1", host.Port.ToString()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await AssertArrivedAsync(storescp.Folder, paths[..2]);
        Assert.Equal(2, Directory.GetFiles(storescp.Folder).Length);
        Assert.Contains("Refused: MoveDestinationUnknown", unknown.Output + unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task getscu_retrieves_a_series_over_its_own_association_byte_for_byte()
    {
        var (host, paths) = await HostWithThreeStudiesAsync();
        await using var _ = host;
        var folder = Directory.CreateTempSubdirectory("cl2-getscu-").FullName;

        var result = await Dcmtk.RunAsync("getscu", ["+B", "-S", "-aet", "GETSCU", "-aec", "CL2", "-od", folder,
            "-k", "QueryRetrieveLevel=SERIES", "-k", $"StudyInstanceUID={CtStudy}", "-k", $"SeriesInstanceUID={CtSeries}", "127.0.0.1", host.Port.ToString()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        await AssertArrivedAsync(folder, paths[..1]);
        Assert.Single(Directory.GetFiles(folder));
    }

    private static async Task AssertArrivedAsync(string folder, IEnumerable<string> sent)
    {
        var arrived = new Dictionary<string, byte[]>();
        foreach (var file in Directory.GetFiles(folder))
        {
            arrived[(await Part10FileHeader.ReadAsync(file, CancellationToken.None)).MediaStorageSopInstanceUid] = await Corpus.DataSetBytesAsync(file);
        }
        foreach (var path in sent)
        {
            var uid = (await Part10FileHeader.ReadAsync(path, CancellationToken.None)).MediaStorageSopInstanceUid;
            Assert.True(arrived.TryGetValue(uid, out var bytes), $"{uid} did not arrive");
            Assert.Equal(await Corpus.DataSetBytesAsync(path), bytes);
        }
    }
}
