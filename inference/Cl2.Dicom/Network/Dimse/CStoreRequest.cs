namespace Cl2.Dicom.Network.Dimse;

/// <summary>
/// A C-STORE request as a provider sees it (PS3.7 9.1.1). <see cref="DataSet"/> streams the data set straight off the
/// association in <see cref="TransferSyntaxUid"/> (no meta header); nothing more is read from the peer until the
/// provider returns. Whatever the provider leaves unread is discarded. <see cref="AssociationId"/> names the server's
/// association the request came on (the same number as <see cref="Server.AssociationClosedEventArgs.AssociationId"/>),
/// 0 where the request did not come to a <see cref="Server.DicomServer"/> (a C-GET's sub-operations on our own SCU).
/// </summary>
public sealed record CStoreRequest(
    string CallingAeTitle,
    string SopClassUid,
    string SopInstanceUid,
    string TransferSyntaxUid,
    ushort MessageId,
    DimsePriority Priority,
    string? MoveOriginatorAeTitle,
    ushort? MoveOriginatorMessageId,
    Stream DataSet,
    long AssociationId = 0)
{
    public static DimseCommand Command(ushort messageId, string sopClassUid, string sopInstanceUid, DimsePriority priority = DimsePriority.Medium) =>
        new(CommandField.CStoreRq)
        {
            AffectedSopClassUid = sopClassUid,
            AffectedSopInstanceUid = sopInstanceUid,
            MessageId = messageId,
            Priority = priority,
            HasDataSet = true,
        };
}
