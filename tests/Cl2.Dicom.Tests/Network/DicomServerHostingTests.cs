using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Dicom.Tests.Network;

public sealed class DicomServerHostingTests
{
    private sealed class CountingEchoProvider : ICEchoProvider
    {
        public int Echoes { get; private set; }

        public ValueTask<DimseStatus> OnCEchoAsync(CEchoRequest request, CancellationToken cancellationToken)
        {
            Echoes++;
            return ValueTask.FromResult(DimseStatus.Success);
        }
    }

    /// <summary>Throws on every instance: the failure belongs to that instance, not to the association.</summary>
    private sealed class FailingStoreProvider : ICStoreProvider
    {
        public ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("disk on fire");
    }

    [Fact]
    public async Task the_server_resolves_from_di_with_only_the_providers_that_are_registered()
    {
        var port = FreePort.Next();
        var services = new ServiceCollection()
            .AddSingleton(new DicomServerOptions { Port = port, BindAddress = IPAddress.Loopback, Policy = TestServer.DefaultPolicy })
            .AddSingleton<CountingEchoProvider>()
            .AddSingleton<ICEchoProvider>(sp => sp.GetRequiredService<CountingEchoProvider>())
            .AddSingleton<DicomServer>();
        await using var provider = services.BuildServiceProvider();
        var server = provider.GetRequiredService<DicomServer>();
        await server.StartAsync(CancellationToken.None);

        var status = await EchoScu.EchoAsync("127.0.0.1", port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle }, CancellationToken.None);
        await server.StopAsync(CancellationToken.None);

        Assert.Equal(DimseStatus.Success, status);
        Assert.Equal(1, provider.GetRequiredService<CountingEchoProvider>().Echoes);
    }

    [Fact]
    public async Task a_store_provider_that_throws_yields_processing_failure_and_the_association_goes_on()
    {
        var port = FreePort.Next();
        await using var server = new DicomServer(
            new DicomServerOptions { Port = port, Policy = TestServer.DefaultPolicy }, storeProvider: new FailingStoreProvider());
        await server.StartAsync(CancellationToken.None);
        var path = Corpus.File("CT_small.dcm");
        var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle },
            [
                new PresentationContext(1, header.MediaStorageSopClassUid, [header.TransferSyntaxUid]),
                new PresentationContext(3, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
            ], CancellationToken.None);

        Assert.Equal(DimseStatus.ProcessingFailure, await association.StoreFileAsync(path, CancellationToken.None));
        Assert.Equal(DimseStatus.Success, await association.EchoAsync(CancellationToken.None));
        await association.ReleaseAsync(CancellationToken.None);
    }

    [Fact]
    public async Task a_large_data_set_crosses_small_pdus_both_ways_and_arrives_whole()
    {
        var small = new DicomNetworkOptions { MaxPduLength = 4096 };
        await using var server = await TestServer.StartAsync(small);
        var data = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i % 251)).ToArray();
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle, Network = small },
            [new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None);

        var status = await association.StoreAsync(DicomUids.CTImageStorage.Value, "1.2.3.4", DicomTransferSyntax.ExplicitVRLittleEndian.Uid,
            new MemoryStream(data), CancellationToken.None);
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal(DimseStatus.Success, status);
        Assert.Equal(4096u, association.Negotiated.PeerMaxPduLength);
        Assert.Equal(data, Assert.Single(server.Store.Received).DataSet);
    }

    [Fact]
    public async Task storescu_fragments_to_the_max_pdu_length_we_announce()
    {
        // Anything longer than 4096 would be refused with A-ABORT, so arriving at all shows DCMTK kept to our limit.
        await using var server = await TestServer.StartAsync(new DicomNetworkOptions { MaxPduLength = 4096 });
        var folder = Directory.CreateTempSubdirectory("cl2-storescu-").FullName;
        var path = await Corpus.DcmtkEncodedCopyAsync("SC_rgb_jpeg_dcmd.dcm", folder);

        var result = await Dcmtk.RunAsync("storescu", ["-xi", "-aet", "STORESCU", "-aec", TestServer.AeTitle, "127.0.0.1", server.Port.ToString(), path]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal(await Corpus.DataSetBytesAsync(path), Assert.Single(server.Store.Received).DataSet);
    }
}
