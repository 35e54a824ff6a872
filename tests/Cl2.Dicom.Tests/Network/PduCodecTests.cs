using System.Buffers.Binary;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

public sealed class PduCodecTests
{
    private static readonly DicomNetworkOptions Options = new();

    [Fact]
    public async Task an_a_associate_rq_with_every_user_information_sub_item_survives_encoding_and_parsing()
    {
        var request = new AAssociateRq("CL2", "MODALITY",
            [
                new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
                new PresentationContext(3, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
            ],
            new UserInformation(32768, "1.2.3.4", "PEER_1", new AsynchronousOperationsWindow(3, 2),
                [new ScpScuRoleSelection(DicomUids.CTImageStorage.Value, true, true)]));

        var parsed = await ReadOneAsync(PduEncoder.Encode(request));

        var rq = Assert.IsType<AAssociateRq>(parsed);
        Assert.Equal(("CL2", "MODALITY", DicomUids.DICOMApplicationContext.Value), (rq.CalledAeTitle, rq.CallingAeTitle, rq.ApplicationContextName));
        Assert.Equal(request.PresentationContexts.Select(c => (c.Id, c.AbstractSyntax, string.Join('|', c.TransferSyntaxes))),
            rq.PresentationContexts.Select(c => (c.Id, c.AbstractSyntax, string.Join('|', c.TransferSyntaxes))));
        Assert.Equal((32768u, "1.2.3.4", "PEER_1", new AsynchronousOperationsWindow(3, 2)),
            (rq.UserInformation.MaxPduLength, rq.UserInformation.ImplementationClassUid, rq.UserInformation.ImplementationVersionName,
                rq.UserInformation.AsynchronousOperationsWindow));
        Assert.Equal(request.UserInformation.RoleSelectionsOrEmpty, rq.UserInformation.RoleSelectionsOrEmpty);
    }

    [Fact]
    public async Task a_data_set_is_fragmented_to_the_peers_max_pdu_length_and_reassembled_in_order()
    {
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var wire = new MemoryStream();
        const uint PeerMax = 1024;

        await new PduWriter(wire).WriteFragmentsAsync(5, isCommand: false, new MemoryStream(data), PeerMax, CancellationToken.None);

        wire.Position = 0;
        var reader = new PduReader(wire, Options);
        var reassembled = new List<byte>();
        var fragments = new List<PresentationDataValue>();
        while (await reader.ReadAsync(TimeSpan.FromSeconds(1), "P-DATA-TF", CancellationToken.None) is PDataTf pdu)
        {
            var pdv = Assert.Single(pdu.Values);
            fragments.Add(pdv);
            reassembled.AddRange(pdv.Data.ToArray());
        }
        Assert.Equal(data, reassembled);
        Assert.All(fragments, f => Assert.True(f.Data.Length + PresentationDataValue.HeaderLength <= PeerMax));
        Assert.Equal(fragments.Count - 1, fragments.Count(f => !f.IsLastFragment));
        Assert.True(fragments[^1].IsLastFragment);
        Assert.All(fragments, f => Assert.Equal((5, false), (f.PresentationContextId, f.IsCommand)));
    }

    [Fact]
    public async Task an_unrecognized_pdu_type_is_a_format_error_calling_for_abort_reason_unrecognized_pdu()
    {
        var error = await Assert.ThrowsAsync<PduFormatException>(() => ReadOneAsync([0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0]));

        Assert.Equal(AbortReason.UnrecognizedPdu, error.AbortReason);
    }

    [Fact]
    public async Task a_pdu_longer_than_our_limit_is_refused_before_its_body_is_read()
    {
        var header = new byte[Pdu.HeaderLength];
        header[0] = (byte)PduType.PDataTf;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), Options.MaxPduLength + 1);

        var error = await Assert.ThrowsAsync<PduTooLargeException>(() => ReadOneAsync(header));

        Assert.Equal((PduType.PDataTf, Options.MaxPduLength + 1, Options.MaxPduLength), (error.PduType, error.Length, error.Limit));
    }

    [Fact]
    public async Task a_pdu_cut_short_by_the_end_of_the_stream_says_how_much_arrived()
    {
        var abort = PduEncoder.Encode(new AAbort(AbortSource.ServiceUser, AbortReason.NotSpecified));

        var error = await Assert.ThrowsAsync<PduTruncatedException>(() => ReadOneAsync(abort[..8]));

        Assert.Equal((PduType.AAbort, 4L, 2L), (error.PduType, error.Expected, error.Received));
    }

    [Fact]
    public async Task a_pdv_whose_length_runs_past_its_pdu_is_malformed_at_the_offset_of_the_pdv()
    {
        byte[] pdu = [(byte)PduType.PDataTf, 0, 0, 0, 0, 8, 0, 0, 0, 9, 1, 3, 0xAA, 0xBB];

        var error = await Assert.ThrowsAsync<PduFormatException>(() => ReadOneAsync(pdu));

        Assert.Equal(Pdu.HeaderLength, error.Offset);
        Assert.Equal(AbortReason.InvalidPduParameterValue, error.AbortReason);
    }

    [Fact]
    public void a_c_store_request_command_set_survives_encoding_and_decoding_with_its_group_length()
    {
        var command = CStoreRequest.Command(7, DicomUids.CTImageStorage.Value, "1.2.3.4.5") with
        {
            MoveOriginatorApplicationEntityTitle = "MOVER",
            MoveOriginatorMessageId = 3,
        };

        var bytes = command.Encode();

        Assert.Equal((uint)(bytes.Length - 12), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(0, bytes.Length % 2);
        Assert.Equal(command, DimseCommand.Decode(bytes) with { OffendingElements = null });
    }

    [Fact]
    public void a_c_move_response_keeps_its_sub_operation_counts_and_offending_elements()
    {
        var response = new DimseCommand(CommandField.CMoveRsp)
        {
            AffectedSopClassUid = DicomUids.StudyRootQueryRetrieveInformationModelMove.Value,
            MessageIdBeingRespondedTo = 9,
            Status = DimseStatus.Pending,
            NumberOfRemainingSubOperations = 4,
            NumberOfCompletedSubOperations = 3,
            NumberOfFailedSubOperations = 2,
            NumberOfWarningSubOperations = 1,
            OffendingElements = [0x0010_0010u, 0x0020_000Du],
            ErrorComment = "odd",
        };

        var decoded = DimseCommand.Decode(response.Encode());

        Assert.Equal((4, 3, 2, 1), ((int)decoded.NumberOfRemainingSubOperations!, (int)decoded.NumberOfCompletedSubOperations!,
            (int)decoded.NumberOfFailedSubOperations!, (int)decoded.NumberOfWarningSubOperations!));
        Assert.Equal(response.OffendingElements, decoded.OffendingElements);
        Assert.Equal(("odd", DimseStatus.Pending, false), (decoded.ErrorComment, decoded.Status, decoded.HasDataSet));
    }

    [Fact]
    public void a_command_set_with_an_element_outside_group_0000_is_rejected_naming_the_tag()
    {
        byte[] bytes = [0x08, 0x00, 0x18, 0x00, 2, 0, 0, 0, (byte)'1', 0];

        var error = Assert.Throws<DimseCommandFormatException>(() => DimseCommand.Decode(bytes));

        Assert.Equal(0x0008_0018u, error.Tag);
    }

    private static async Task<Pdu?> ReadOneAsync(byte[] bytes) =>
        await new PduReader(new MemoryStream(bytes), Options).ReadAsync(TimeSpan.FromSeconds(1), "test PDU", CancellationToken.None);
}
