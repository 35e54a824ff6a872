using System.Buffers.Binary;
using System.Diagnostics;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>Peers that break PS3.8 get the right A-ABORT (or are timed out), never hang the server, and do not disturb
/// the other associations it serves.</summary>
public sealed class BadPeerTests
{
    private static readonly TimeSpan Artim = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DicomNetworkOptions Network = new() { ArtimTimeout = Artim, IdleTimeout = Idle };

    // For the tests of what a peer sends rather than of how long it waits: a loaded machine can take longer than ARTIM
    // between the server's accept and its first read, which then reads as a time-out instead of the error under test.
    private static readonly DicomNetworkOptions Patient = new() { ArtimTimeout = Wait, IdleTimeout = Wait };

    [Fact]
    public async Task a_pdu_of_unknown_type_is_answered_with_a_abort_unrecognized_pdu_and_closed()
    {
        await using var server = await TestServer.StartAsync(Patient);
        using var peer = await RawPeer.ConnectAsync(server.Port);

        await peer.SendAsync([0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

        Assert.Equal(Abort(AbortReason.UnrecognizedPdu), await peer.ReadUntilClosedAsync(Wait));
        Assert.IsType<PduFormatException>((await server.NextClosedAsync(Wait)).Error);
    }

    [Fact]
    public async Task a_pdu_longer_than_we_accept_is_answered_with_a_abort_invalid_parameter_value_without_reading_its_body()
    {
        await using var server = await TestServer.StartAsync(Patient);
        using var peer = await RawPeer.ConnectAsync(server.Port);

        await peer.SendAsync(Header(PduType.AAssociateRq, 0x7FFF_FFF0));

        Assert.Equal(Abort(AbortReason.InvalidPduParameterValue), await peer.ReadUntilClosedAsync(Wait));
        var error = Assert.IsType<PduTooLargeException>((await server.NextClosedAsync(Wait)).Error);
        Assert.Equal(0x7FFF_FFF0u, error.Length);
    }

    [Fact]
    public async Task a_pdu_length_beyond_what_the_peer_sends_before_closing_is_reported_as_truncated()
    {
        await using var server = await TestServer.StartAsync(Patient);
        using var peer = await RawPeer.ConnectAsync(server.Port);

        await peer.SendAsync([.. Header(PduType.AAssociateRq, 100), .. new byte[10]]);
        peer.ShutdownSend();

        await peer.ReadUntilClosedAsync(Wait);
        var error = Assert.IsType<PduTruncatedException>((await server.NextClosedAsync(Wait)).Error);
        Assert.Equal((PduType.AAssociateRq, 100L, 10L), (error.PduType, error.Expected, error.Received));
    }

    [Fact]
    public async Task a_peer_that_closes_in_the_middle_of_a_p_data_tf_is_reported_as_truncated()
    {
        await using var server = await TestServer.StartAsync(Patient);
        using var peer = await RawPeer.ConnectAsync(server.Port);
        await peer.AssociateAsync();

        await peer.SendAsync([.. Header(PduType.PDataTf, 200), .. new byte[20]]);
        peer.Dispose();

        var error = Assert.IsType<PduTruncatedException>((await server.NextClosedAsync(Wait)).Error);
        Assert.Equal((PduType.PDataTf, 200L, 20L), (error.PduType, error.Expected, error.Received));
    }

    [Fact]
    public async Task a_connection_silent_past_artim_is_closed_without_an_association()
    {
        await using var server = await TestServer.StartAsync(Network);
        // The clock starts before the connection: the server's ARTIM timer starts at accept, which may be before ConnectAsync returns.
        var clock = Stopwatch.StartNew();
        using var peer = await RawPeer.ConnectAsync(server.Port);

        Assert.Empty(await peer.ReadUntilClosedAsync(Wait));

        Assert.InRange(clock.Elapsed, Artim * 0.9, Wait);
        var error = Assert.IsType<DicomNetworkTimeoutException>((await server.NextClosedAsync(Wait)).Error);
        Assert.Equal("A-ASSOCIATE-RQ", error.WaitingFor);
    }

    [Fact]
    public async Task an_association_idle_past_the_idle_timeout_is_aborted()
    {
        await using var server = await TestServer.StartAsync(Network);
        using var peer = await RawPeer.ConnectAsync(server.Port);
        // The clock starts before the request: the server's idle timer starts when it sends A-ASSOCIATE-AC, before we read it.
        var clock = Stopwatch.StartNew();
        await peer.AssociateAsync();

        Assert.Equal(Abort(AbortReason.NotSpecified), await peer.ReadUntilClosedAsync(Wait));

        Assert.InRange(clock.Elapsed, Idle * 0.9, Wait);
        Assert.IsType<DicomNetworkTimeoutException>((await server.NextClosedAsync(Wait)).Error);
    }

    [Fact]
    public async Task p_data_before_association_is_answered_with_a_abort_unexpected_pdu()
    {
        await using var server = await TestServer.StartAsync(Patient);
        using var peer = await RawPeer.ConnectAsync(server.Port);

        await peer.SendAsync(PduEncoder.Encode(new PDataTf([new PresentationDataValue(1, true, true, new byte[] { 0, 0 })])));

        Assert.Equal(Abort(AbortReason.UnexpectedPdu), await peer.ReadUntilClosedAsync(Wait));
        Assert.IsType<UnexpectedPduException>((await server.NextClosedAsync(Wait)).Error);
    }

    [Fact]
    public async Task a_good_association_keeps_working_while_bad_peers_fail_beside_it()
    {
        await using var server = await TestServer.StartAsync(Network with { IdleTimeout = TimeSpan.FromSeconds(30) });
        await using var good = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port, ClientOptions,
            [new PresentationContext(1, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])], CancellationToken.None);

        var bad = Enumerable.Range(0, 4).Select(async i =>
        {
            using var peer = await RawPeer.ConnectAsync(server.Port);
            await peer.SendAsync(i switch
            {
                0 => [0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0],
                1 => Header(PduType.PDataTf, 0x7FFF_FFF0),
                2 => [.. Header(PduType.AAssociateRq, 100), 1, 2, 3],
                _ => [],
            });
            if (i == 2)
            {
                peer.ShutdownSend();
            }
            await peer.ReadUntilClosedAsync(Wait);
        }).ToList();
        var echoesDuring = Enumerable.Range(0, 3).Select(_ => EchoScu.EchoAsync("127.0.0.1", server.Port, ClientOptions, CancellationToken.None));

        Assert.All(await Task.WhenAll(echoesDuring), status => Assert.Equal(DimseStatus.Success, status));
        await Task.WhenAll(bad);
        Assert.Equal(DimseStatus.Success, await good.EchoAsync(CancellationToken.None));
        await good.ReleaseAsync(CancellationToken.None);
    }

    [Fact]
    public async Task an_a_abort_from_our_scu_ends_the_association_on_the_server_as_aborted_by_the_service_user()
    {
        await using var server = await TestServer.StartAsync(Patient);
        var association = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port, ClientOptions,
            [new PresentationContext(1, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])], CancellationToken.None);

        await association.AbortAsync();

        var aborted = Assert.IsType<AssociationAbortedException>((await server.NextClosedAsync(Wait)).Error);
        Assert.Equal(AbortSource.ServiceUser, aborted.Abort.Source);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => association.EchoAsync(CancellationToken.None));
    }

    [Fact]
    public async Task one_association_more_than_the_limit_is_rejected_transiently_with_local_limit_exceeded()
    {
        await using var server = await TestServer.StartAsync(Patient with { MaxConcurrentAssociations = 1 });
        PresentationContext[] verification = [new PresentationContext(1, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])];
        await using var first = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port, ClientOptions, verification, CancellationToken.None);

        var rejected = await Assert.ThrowsAsync<AssociationRejectedException>(() =>
            DicomClientAssociation.OpenAsync("127.0.0.1", server.Port, ClientOptions, verification, CancellationToken.None));

        Assert.Equal(AssociationNegotiationLimit, rejected.Reject);
        await first.ReleaseAsync(CancellationToken.None);
        Assert.Equal(DimseStatus.Success, await EchoAfterTheSlotFreesAsync(server.Port));
    }

    private static readonly AAssociateRj AssociationNegotiationLimit =
        new(AssociateRejectResult.RejectedTransient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReason.LocalLimitExceeded);

    private static DicomClientOptions ClientOptions => new() { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle };

    /// <summary>The server frees a slot when its association task ends, a moment after our release returns.</summary>
    private static async Task<DimseStatus> EchoAfterTheSlotFreesAsync(int port)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            try
            {
                return await EchoScu.EchoAsync("127.0.0.1", port, ClientOptions, CancellationToken.None);
            }
            catch (AssociationRejectedException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    private static byte[] Header(PduType type, uint length)
    {
        var header = new byte[Pdu.HeaderLength];
        header[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), length);
        return header;
    }

    private static byte[] Abort(AbortReason reason) => PduEncoder.Encode(new AAbort(AbortSource.ServiceProvider, reason));
}
