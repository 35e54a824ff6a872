using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Network.Client;

/// <summary>C-STORE (PS3.4 B.2) as the SCU: a data set already encoded, or a Part 10 file past its meta group.</summary>
public sealed partial class DicomClientAssociation
{
    /// <summary>Sends a data set already encoded in <paramref name="transferSyntaxUid"/> (no meta header).</summary>
    public Task<DimseStatus> StoreAsync(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, Stream dataSet,
        CancellationToken cancellationToken) =>
        StoreAsync(sopClassUid, sopInstanceUid, transferSyntaxUid, dataSet, null, null, cancellationToken);

    /// <summary>C-STORE as a C-MOVE sub-operation, naming the AE and message that asked for the move.</summary>
    public Task<DimseStatus> StoreAsync(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, Stream dataSet,
        string? moveOriginatorAeTitle, ushort? moveOriginatorMessageId, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var context = Negotiated.FindContext(sopClassUid, transferSyntaxUid);
        if (context is null)
        {
            throw new NoPresentationContextException($"the peer accepted no presentation context for SOP class {sopClassUid}");
        }
        if (context.TransferSyntax != transferSyntaxUid)
        {
            throw new NoPresentationContextException(
                $"the peer accepts SOP class {sopClassUid} only in {context.TransferSyntax}, the data set is in {transferSyntaxUid}; " +
                "converting between transfer syntaxes needs the data set model, which the network layer does not have");
        }
        var messageId = NextMessageId();
        var command = CStoreRequest.Command(messageId, sopClassUid, sopInstanceUid) with
        {
            MoveOriginatorApplicationEntityTitle = moveOriginatorAeTitle,
            MoveOriginatorMessageId = moveOriginatorMessageId,
        };
        await _channel.SendAsync(context.Id, command, dataSet, cancellationToken);
        return (await ReadResponseAsync(messageId, CommandField.CStoreRsp, cancellationToken)).Status ?? DimseStatus.ProcessingFailure;
    });

    /// <summary>Stores a Part 10 file: its data set, past the meta group, in the file's own transfer syntax.</summary>
    public async Task<DimseStatus> StoreFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var header = await Part10FileHeader.ReadAsync(file, path, cancellationToken);
        file.Position = header.DataSetOffset;
        if (header.TransferSyntaxUid == DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid && (file.Length - header.DataSetOffset) % 2 == 1)
        {
            // PS3.5 A.5: an odd deflated bitstream gets one trailing NUL byte; files that lack it would reach the peer as an
            // odd-length data set, which DCMTK refuses (odd fragment length) and aborts the association over.
            var padded = new MemoryStream();
            await file.CopyToAsync(padded, cancellationToken);
            padded.WriteByte(0);
            padded.Position = 0;
            return await StoreAsync(header.MediaStorageSopClassUid, header.MediaStorageSopInstanceUid, header.TransferSyntaxUid, padded, cancellationToken);
        }
        return await StoreAsync(header.MediaStorageSopClassUid, header.MediaStorageSopInstanceUid, header.TransferSyntaxUid, file, cancellationToken);
    }
}
