namespace Cl2.Dicom.Network.Dimse;

/// <summary>
/// A C-STORE request as a provider sees it (PS3.7 9.1.1). <see cref="DataSet"/> streams the data set straight off the
/// association in <see cref="TransferSyntaxUid"/> (no meta header); nothing more is read from the peer until the
/// provider returns. Whatever the provider leaves unread is discarded.
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
    Stream DataSet)
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
