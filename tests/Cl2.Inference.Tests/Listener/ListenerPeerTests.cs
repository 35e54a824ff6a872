using System.Globalization;
using System.Net;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Listener;

/// <summary>Issue 17 point 5: outside Development the listener serves only the peers of Inference:Listener:Peers (AE title
/// and address), and says in its log who they are and what changed.</summary>
public sealed class ListenerPeerTests
{
    private static Task<ProcessResult> EchoAsync(ListenerHost host, string callingAeTitle) =>
        Dcmtk.RunAsync("echoscu", ["-aet", callingAeTitle, "-aec", "CL2", "127.0.0.1", host.Port.ToString(CultureInfo.InvariantCulture)]);

    private static void AssertRejectedAsUnknownCaller(ProcessResult echo)
    {
        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains("Rejected Permanent", echo.Output + echo.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Calling AE Title Not Recognized", echo.Output + echo.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task an_unlisted_calling_ae_is_rejected_outside_development()
    {
        var log = new CapturedLog();
        await using var host = ListenerHost.StartInProduction(log, ("Peers:0:AeTitle", "MODALITY"), ("Peers:0:Hosts:0", "127.0.0.1"));

        var stranger = await EchoAsync(host, "STRANGER");
        var listed = await EchoAsync(host, "MODALITY");

        AssertRejectedAsUnknownCaller(stranger);
        Assert.True(listed.ExitCode == 0, listed.Output + listed.Error);
        await log.LineAsync("Warning", "Rejected an association from STRANGER at 127.0.0.1", "Inference:Listener:Peers");
    }

    [Fact]
    public async Task a_listed_ae_title_calling_from_an_unlisted_address_is_rejected()
    {
        await using var host = ListenerHost.StartInProduction(null, ("Peers:0:AeTitle", "MODALITY"), ("Peers:0:Hosts:0", "10.20.0.0/16"));

        AssertRejectedAsUnknownCaller(await EchoAsync(host, "MODALITY"));
    }

    [Fact]
    public async Task production_without_peers_rejects_every_caller()
    {
        var log = new CapturedLog();
        await using var host = ListenerHost.StartInProduction(log);

        AssertRejectedAsUnknownCaller(await EchoAsync(host, "ANYONE"));
        await log.LineAsync("Warning", "Inference:Listener:Peers is empty, so every association is rejected");
    }

    [Fact]
    public async Task development_without_peers_serves_any_calling_ae()
    {
        await using var host = ListenerHost.Start();

        var echo = await EchoAsync(host, "ANYONE");

        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
    }

    [Fact]
    public async Task the_wildcard_ae_title_serves_every_title_from_its_hosts()
    {
        await using var host = ListenerHost.StartInProduction(null, ("Peers:0:AeTitle", "*"), ("Peers:0:Hosts:0", "127.0.0.0/8"));

        var echo = await EchoAsync(host, "WHOEVER");

        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
    }

    [Fact]
    public async Task orthanc_listed_as_a_peer_stores_into_the_listener()
    {
        await using var orthanc = await OrthancPeer.StartAsync();
        await using var host = ListenerHost.StartInProduction(null, ("Peers:0:AeTitle", orthanc.AeTitle), ("Peers:0:Hosts:0", "127.0.0.1"));
        await orthanc.SetModalityAsync("CL2", "127.0.0.1", host.Port);
        var instance = await UploadAsync(orthanc, "CT_small.dcm");

        using var store = await orthanc.Http.PostAsync(new Uri("modalities/CL2/store", UriKind.Relative), new StringContent(instance));

        Assert.True(store.IsSuccessStatusCode, await store.Content.ReadAsStringAsync());
        Assert.Single(host.Store.Studies());
    }

    [Fact]
    public async Task orthanc_is_refused_when_its_ae_title_is_not_listed()
    {
        await using var orthanc = await OrthancPeer.StartAsync();
        await using var host = ListenerHost.StartInProduction(null, ("Peers:0:AeTitle", "OTHERPACS"), ("Peers:0:Hosts:0", "127.0.0.1"));
        await orthanc.SetModalityAsync("CL2", "127.0.0.1", host.Port);

        using var echo = await orthanc.Http.PostAsync(new Uri("modalities/CL2/echo", UriKind.Relative), new StringContent("{}"));

        Assert.False(echo.IsSuccessStatusCode);
        Assert.Empty(host.Store.Studies());
    }

    [Fact]
    public async Task a_peer_added_since_the_last_start_is_named_in_a_warning()
    {
        var storage = Directory.CreateTempSubdirectory("cl2-listener-").FullName;
        (string, string)[] before = [("Peers:0:AeTitle", "MODALITY"), ("Peers:0:Hosts:0", "127.0.0.1")];
        await using (ListenerHost.Start(new ListenerHost(ListenerHost.Prefixed(before), storage) { Environment = "Production", KeepStorage = true }))
        {
        }
        var log = new CapturedLog();

        await using var after = ListenerHost.Start(new ListenerHost(ListenerHost.Prefixed(
            [.. before, ("Peers:1:AeTitle", "PACS"), ("Peers:1:Hosts:0", "10.0.0.0/8"), ("Peers:1:QueryRetrieve:0", "Move")]), storage)
        { Environment = "Production", Log = log });

        await log.LineAsync("Warning", "DICOM peers changed since the last start", "added PACS from 10.0.0.0/8 may echo, store, Move; removed nothing");
    }

    [Theory]
    [InlineData("QueryRetrieveCallingAeTitles:0", "FINDER", "were replaced by Inference:Listener:Peers")]
    [InlineData("AllowedCallingAeTitles:0", "MODALITY", "were replaced by Inference:Listener:Peers")]
    [InlineData("Peers:0:Hosts:1", "pacs.example.org", "'pacs.example.org' is not an IP address or a CIDR network")]
    [InlineData("Peers:0:Hosts:1", "10.0.0.1/8", "'10.0.0.1/8' is not an IP address or a CIDR network")]
    public void a_configuration_the_peer_table_cannot_use_stops_the_start_with_what_to_change(string key, string value, string message)
    {
        var failure = Assert.ThrowsAny<OptionsValidationException>(() => FailingStart.Run(() =>
        {
            using var host = ListenerHost.Start(("Peers:0:AeTitle", "MODALITY"), ("Peers:0:Hosts:0", "127.0.0.1"), (key, value));
        }));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.20.0.0/16", "10.20.3.4", true)]
    [InlineData("10.20.0.0/16", "10.21.0.1", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("fd00::/8", "fd12::1", true)]
    public void a_host_entry_admits_exactly_the_addresses_it_covers(string host, string address, bool admitted)
    {
        var table = PeerTable.From([new ListenerPeer { AeTitle = "PACS", Hosts = [host] }], isDevelopment: false);

        Assert.Equal(admitted, table.Admit("PACS", IPAddress.Parse(address)) is not null);
    }

    [Fact]
    public void a_peer_is_granted_only_the_query_retrieve_services_its_entries_list()
    {
        var table = PeerTable.From([
            new ListenerPeer { AeTitle = "PACS", Hosts = ["127.0.0.1"], QueryRetrieve = [QueryRetrieveService.Find] },
            new ListenerPeer { AeTitle = "*", Hosts = ["127.0.0.1"], QueryRetrieve = [QueryRetrieveService.Move] },
        ], isDevelopment: false);

        var granted = table.Admit("PACS", IPAddress.Loopback)!;

        Assert.Contains(Cl2.Dicom.DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, granted);
        Assert.Contains(Cl2.Dicom.DicomUids.StudyRootQueryRetrieveInformationModelMove.Value, granted);
        Assert.DoesNotContain(Cl2.Dicom.DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, granted);
    }

    private static async Task<string> UploadAsync(OrthancPeer orthanc, string corpusFile)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Corpus.File(corpusFile)));
        using var response = await orthanc.Http.PostAsync(new Uri("instances", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("ID").GetString()!;
    }
}
