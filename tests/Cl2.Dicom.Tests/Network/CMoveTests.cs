using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>C-MOVE SCP: movescu asks our SCP to move instances to movescu's own storage port.</summary>
public sealed class CMoveTests
{
    [Fact]
    public async Task movescu_receives_the_moved_instances_on_its_own_port_with_identical_data_set_bytes()
    {
        string[] paths = [Corpus.File("CT_small.dcm"), Corpus.File("MR_small.dcm")];
        var provider = new FilesRetrieveProvider(paths);
        var movescuPort = FreePort.Next();
        var port = FreePort.Next();
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = port,
            Policy = TestServer.DefaultPolicy with
            {
                AllowedCallingAeTitles = new HashSet<string> { "MOVESCU" },
                AbstractSyntaxes = new HashSet<string> { DicomUids.StudyRootQueryRetrieveInformationModelMove.Value },
            },
            MoveDestinations = new Dictionary<string, DicomPeer> { ["MOVESCU"] = new("127.0.0.1", movescuPort) },
        }, moveProvider: provider);
        await server.StartAsync(CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("cl2-movescu-").FullName;

        // movescu 3.6.7 writes bit-preserved objects into its working directory whatever -od says, so it runs in the folder.
        var result = await ProcessRunner.RunAsync("sh",
            ["-c", "cd \"$0\" && exec movescu \"$@\"", folder, "-S", "+B", "-aet", "MOVESCU", "-aem", "MOVESCU", "-aec", TestServer.AeTitle,
                "+P", movescuPort.ToString(), "-od", folder, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
                "127.0.0.1", port.ToString()],
            TimeSpan.FromSeconds(30), Dcmtk.Environment);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("MOVESCU", Assert.Single(provider.MoveRequests).MoveDestination);
        var stored = new Dictionary<string, byte[]>();
        foreach (var file in Directory.GetFiles(folder))
        {
            var header = await Part10FileHeader.ReadAsync(file, CancellationToken.None);
            stored[header.MediaStorageSopInstanceUid] = await Corpus.DataSetBytesAsync(file);
        }
        foreach (var path in paths)
        {
            var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
            Assert.True(stored.TryGetValue(header.MediaStorageSopInstanceUid, out var arrived), $"{path} did not arrive: {result.Output}{result.Error}");
            Assert.Equal(await Corpus.DataSetBytesAsync(path), arrived);
        }
    }

    [Fact]
    public async Task our_move_scu_has_our_scp_move_instances_into_another_of_our_scps()
    {
        var ct = Corpus.File("CT_small.dcm");
        await using var destination = await TestServer.StartAsync();
        var port = FreePort.Next();
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = port,
            Policy = TestServer.DefaultPolicy with { AbstractSyntaxes = new HashSet<string> { DicomUids.StudyRootQueryRetrieveInformationModelMove.Value } },
            // The destination accepts callers by AE title; ours calls it as CL2, so it is listed there as a known caller too.
            MoveDestinations = new Dictionary<string, DicomPeer> { [TestServer.AeTitle] = new("127.0.0.1", destination.Port) },
        }, moveProvider: new FilesRetrieveProvider([ct, ct]));
        await server.StartAsync(CancellationToken.None);
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle },
            [new PresentationContext(1, DicomUids.StudyRootQueryRetrieveInformationModelMove.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])], CancellationToken.None);

        var final = await association.MoveAsync(DicomUids.StudyRootQueryRetrieveInformationModelMove.Value, StudyLevelIdentifier, TestServer.AeTitle, null,
            CancellationToken.None);
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal(new CRetrieveProgress(DimseStatus.Success, 0, 2, 0, 0), final);
        Assert.Equal(2, destination.Store.Received.Count);
        Assert.All(destination.Store.Received, received => Assert.Equal(TestServer.AeTitle, received.CallingAeTitle));
        Assert.Equal(await Corpus.DataSetBytesAsync(ct), destination.Store.Received.First().DataSet);
    }

    /// <summary>(0008,0052) Query/Retrieve Level "STUDY" in Implicit VR Little Endian.</summary>
    private static readonly byte[] StudyLevelIdentifier = [0x08, 0x00, 0x52, 0x00, 6, 0, 0, 0, .. "STUDY "u8];

    [Fact]
    public async Task a_move_to_an_unknown_destination_is_refused_with_move_destination_unknown()
    {
        var port = FreePort.Next();
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = port,
            Policy = TestServer.DefaultPolicy with
            {
                AllowedCallingAeTitles = new HashSet<string> { "MOVESCU" },
                AbstractSyntaxes = new HashSet<string> { DicomUids.StudyRootQueryRetrieveInformationModelMove.Value },
            },
        }, moveProvider: new FilesRetrieveProvider([]));
        await server.StartAsync(CancellationToken.None);

        var result = await Dcmtk.RunAsync("movescu", ["-v", "-S", "-aet", "MOVESCU", "-aem", "NOWHERE", "-aec", TestServer.AeTitle,
            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3", "127.0.0.1", port.ToString()]);

        Assert.Contains("Refused: MoveDestinationUnknown", result.Output + result.Error, StringComparison.Ordinal);
    }
}
