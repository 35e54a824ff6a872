using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.UpperLayer;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Tests.Network;

/// <summary>C-GET SCP: getscu retrieves instances that come back as C-STORE sub-operations on its own association;
/// with +B it writes them to disk as received, so the bytes can be compared.</summary>
public sealed class CGetTests
{
    [Fact]
    public async Task our_get_scu_receives_the_instances_whose_scp_role_it_negotiated_and_counts_the_rest_as_failed()
    {
        var ct = Corpus.File("CT_small.dcm");
        var mr = Corpus.File("MR_small.dcm");
        var provider = new FilesRetrieveProvider([ct, mr]);
        await using var server = await TestServer.StartAsync(policy: GetPolicy, get: provider);
        var store = new CollectingStoreProvider();
        var ctHeader = await Part10FileHeader.ReadAsync(ct, CancellationToken.None);
        var mrHeader = await Part10FileHeader.ReadAsync(mr, CancellationToken.None);
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port,
            new DicomClientOptions
            {
                CallingAeTitle = TestServer.KnownCaller,
                CalledAeTitle = TestServer.AeTitle,
                // The SCP role only for CT: the MR instance has no way back and counts as a failed sub-operation.
                RoleSelections = [new ScpScuRoleSelection(DicomUids.CTImageStorage.Value, ScuRole: false, ScpRole: true)],
            },
            [
                new PresentationContext(1, DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
                new PresentationContext(3, DicomUids.CTImageStorage.Value, [ctHeader.TransferSyntaxUid]),
                new PresentationContext(5, DicomUids.MRImageStorage.Value, [mrHeader.TransferSyntaxUid]),
            ], CancellationToken.None);
        var pending = new ListProgress();

        var final = await association.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet.Value, StudyLevelIdentifier, store, pending, CancellationToken.None);
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal([new CRetrieveProgress(DimseStatus.Pending, 1, 1, 0, 0)], pending.Reports);
        Assert.Equal(new CRetrieveProgress(DimseStatus.SubOperationsCompleteWithFailures, 0, 1, 1, 0), final);
        var received = Assert.Single(store.Received);
        Assert.Equal((ctHeader.MediaStorageSopInstanceUid, TestServer.AeTitle), (received.SopInstanceUid, received.CallingAeTitle));
        Assert.Equal(await Corpus.DataSetBytesAsync(ct), received.DataSet);
    }

    /// <summary>(0008,0052) Query/Retrieve Level "STUDY" in Implicit VR Little Endian.</summary>
    private static readonly byte[] StudyLevelIdentifier = [0x08, 0x00, 0x52, 0x00, 6, 0, 0, 0, .. "STUDY "u8];

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class ListProgress : IProgress<CRetrieveProgress>
    {
        public List<CRetrieveProgress> Reports { get; } = [];

        public void Report(CRetrieveProgress value) => Reports.Add(value);
    }

    private static AssociationPolicy GetPolicy => TestServer.DefaultPolicy with
    {
        AbstractSyntaxes = new HashSet<string>(TestServer.DefaultPolicy.AbstractSyntaxes) { DicomUids.StudyRootQueryRetrieveInformationModelGet.Value },
        AllowRequestorScpRole = true,
    };

    [Fact]
    public async Task getscu_receives_every_instance_with_identical_data_set_bytes()
    {
        string[] paths = [Corpus.File("CT_small.dcm"), Corpus.File("MR_small.dcm")];
        var provider = new FilesRetrieveProvider(paths);
        await using var server = await TestServer.StartAsync(policy: GetPolicy, get: provider);
        var folder = Directory.CreateTempSubdirectory("cl2-getscu-").FullName;

        var result = await Dcmtk.RunAsync("getscu", ["+B", "-S", "-aet", "GETSCU", "-aec", TestServer.AeTitle, "-od", folder,
            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3", "127.0.0.1", server.Port.ToString()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Single(provider.GetRequests);
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
}
