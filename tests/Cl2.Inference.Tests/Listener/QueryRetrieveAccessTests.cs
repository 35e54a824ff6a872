using System.Globalization;

namespace Cl2.Inference.Tests.Listener;

/// <summary>Issue 14: any AE could C-FIND/C-GET/C-MOVE the listener. Now only peers whose entry of Inference:Listener:Peers
/// lists the service under QueryRetrieve may (none by default, as in Orthanc); others are refused and logged.</summary>
public sealed class QueryRetrieveAccessTests
{
    private static async Task<ProcessResult> FindAsync(ListenerHost host, string callingAeTitle) =>
        await Dcmtk.RunAsync("findscu", ["-S", "-aet", callingAeTitle, "-aec", "CL2", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID",
            "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture)]);

    [Fact]
    public async Task findscu_is_refused_by_default_and_the_refusal_is_logged()
    {
        var log = new CapturedLog();
        await using var host = ListenerHost.Start(log);

        var find = await FindAsync(host, "PROBE");

        Assert.NotEqual(0, find.ExitCode);
        Assert.Contains("No Acceptable Presentation Contexts", find.Output + find.Error, StringComparison.OrdinalIgnoreCase);
        await log.LineAsync("Warning", "Refused query/retrieve", "to calling AE PROBE at 127.0.0.1", "Inference:Listener:Peers");
    }

    [Fact]
    public async Task movescu_and_getscu_are_refused_to_peers_whose_entries_do_not_list_them()
    {
        await using var host = ListenerHost.Start([.. ListenerQueryRetrieveTests.Peer(0, "FINDER", "Find"), .. ListenerQueryRetrieveTests.Peer(1, "MOVER"),
            .. ListenerQueryRetrieveTests.Peer(2, "GETTER")]);
        var port = host.Port.ToString(CultureInfo.InvariantCulture);

        var find = await FindAsync(host, "FINDER");
        var move = await Dcmtk.RunAsync("movescu", ["-S", "-aet", "MOVER", "-aem", "MOVER", "-aec", "CL2", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
            "127.0.0.1", port]);
        var get = await Dcmtk.RunAsync("getscu", ["-S", "-aet", "GETTER", "-aec", "CL2", "-od", Directory.CreateTempSubdirectory("cl2-get-").FullName,
            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3", "127.0.0.1", port]);

        Assert.True(find.ExitCode == 0, find.Output + find.Error);
        Assert.NotEqual(0, move.ExitCode);
        Assert.NotEqual(0, get.ExitCode);
    }

    [Fact]
    public async Task storescu_stores_for_a_calling_ae_that_may_not_query()
    {
        await using var host = ListenerHost.Start([.. ListenerQueryRetrieveTests.Peer(0, "FINDER", "Find"), .. ListenerQueryRetrieveTests.Peer(1, "STORESCU")]);
        var path = await Corpus.DcmtkEncodedCopyAsync("MR_small.dcm", Directory.CreateTempSubdirectory("cl2-listener-send-").FullName);

        var store = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture), path]);

        Assert.True(store.ExitCode == 0, store.Output + store.Error);
        Assert.Single(host.Store.Studies());
    }
}
